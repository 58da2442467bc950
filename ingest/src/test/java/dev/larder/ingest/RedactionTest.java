package dev.larder.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.FeatureSchema;
import org.junit.jupiter.api.Test;

class RedactionTest {
    @Test
    void userInfoOfAUriIsHiddenAndTheRestKept() {
        assertEquals("s3a://***@bucket/x", Redaction.uris("s3a://AKIA:SECRET@bucket/x"));
        assertEquals("load s3a://***@bucket/x failed [table s3a://***@bucket/x]",
                Redaction.uris("load s3a://AKIA:SECRET@bucket/x failed [table s3a://AKIA:SECRET@bucket/x]"));
        assertEquals("http://***@127.0.0.1:1/api", Redaction.uris("http://user:TOKEN@127.0.0.1:1/api"));
        assertEquals("https://***@host", Redaction.uris("https://TOKEN@host"));
        assertEquals("(s3a://***@bucket)", Redaction.uris("(s3a://K:S@bucket)"));
        assertEquals("s3a://***@bucket/x", Redaction.uris("s3a://***@bucket/x"));
        assertTrue(Redaction.hasCredentials("s3a://AKIA:SECRET@bucket/x"));
        assertTrue(Redaction.hasCredentials("s3a://***@bucket/x"));
    }

    @Test
    void aSecretWithSlashesOrAtSignsIsHiddenWhole() {
        assertEquals("s3a://***@bucket/x", Redaction.uris("s3a://AKIA:wJalr/K7MDENG+bPx@bucket/x"));
        assertEquals("s3a://***@bucket/x", Redaction.uris("s3a://AKIA:SE@CRET@bucket/x"));
    }

    @Test
    void uriWithoutCredentialsIsUnchanged() {
        for (String s : new String[] {"s3a://bucket/x", "file:/tmp/t", "/tmp/t", "http://host:8080/a@b",
                "s3a://bucket/v@1/x", "abfss://container@account.dfs.core.windows.net/t",
                "wasbs://c@a.blob.core.windows.net/t", "", "a :// b"}) {
            assertEquals(s, Redaction.uris(s));
            assertFalse(Redaction.hasCredentials(s), s);
        }
        assertEquals(null, Redaction.uris(null));
    }

    @Test
    void anAzureContainerWithAPasswordIsHidden() {
        assertEquals("abfss://***@account.dfs.core.windows.net/t",
                Redaction.uris("abfss://c:PW@account.dfs.core.windows.net/t"));
        assertTrue(Redaction.hasCredentials("abfss://c:PW@account.dfs.core.windows.net/t"));
    }

    @Test
    void valuesOfSecretLookingSettingsAreHidden() {
        assertEquals(Redaction.MASK, Redaction.setting("fs.s3a.secret.key", "V"));
        assertEquals(Redaction.MASK, Redaction.setting("fs.azure.account.key.acct.dfs.core.windows.net", "V"));
        assertEquals(Redaction.MASK, Redaction.setting("fs.azure.sas.fixed.token", "V"));
        assertEquals(Redaction.MASK, Redaction.setting("DB_PASSWORD", "V"));
        assertEquals(Redaction.MASK, Redaction.setting("fs.s3a.access.key", "V"));
        assertEquals("http://h:9000", Redaction.setting("fs.s3a.endpoint", "http://h:9000"));
    }

    @Test
    void textHidesSecretSettingsButNotProseOptionsOrKeyColumns() {
        assertEquals("was fs.s3a.secret.key:*** and fs.s3a.access.key=***, region=eu",
                Redaction.text("was fs.s3a.secret.key:VALUE and fs.s3a.access.key=AKIA, region=eu"));
        assertEquals("{\"sas_token\":\"***\"}", Redaction.text("{\"sas_token\":\"abc\"}"));
        assertEquals("GET http://***@h/x?token=***", Redaction.text("GET http://u:p@h/x?token=abc"));
        for (String s : new String[] {"Missing required option: '--key=<key>'", "FILE:3: key: entity_id",
                "FeatureSchema[id int64 not null; key=id]", "fs.s3a.access.key (key id AKIA…1234)",
                "line 4:10: bad", "/etc/larder/api-keys.yaml:3: table t: bad", "api-keys.yaml:3:7 bad"}) {
            assertEquals(s, Redaction.text(s));
        }
    }

    @Test
    void settingsGivenAsJvmOrCommandLineOptionsAreHidden() {
        assertEquals("java -Dfs.s3a.secret.key=*** -jar x", Redaction.text("java -Dfs.s3a.secret.key=V -jar x"));
        assertEquals("Unknown option: '--fs.azure.sas.token=***'",
                Redaction.text("Unknown option: '--fs.azure.sas.token=V'"));
        assertEquals("--db-password=***", Redaction.text("--db-password=V"));
        for (String s : new String[] {"Missing required option: '--key=<key>'", "Unknown option: '--keys=a,b'",
                "--key=entity_id", "--uc-token-env=MY_TOKEN"}) {
            assertEquals(s, Redaction.text(s));
        }
    }

    @Test
    void aNumericValueIsHiddenUnlessItsNameIsAFile() {
        assertEquals("my.token:***", Redaction.text("my.token:123456"));
        assertEquals("was fs.s3a.secret.key:*** then", Redaction.text("was fs.s3a.secret.key:4242 then"));
        for (String s : new String[] {"/etc/larder/api-keys.yaml:3: table t: bad", "api-keys.yaml:3:7 bad",
                "tokens.json:12: bad", "at dev.x.TokenCache.loadKey(TokenCache.java:88)", "cfg\\keys:4: bad"}) {
            assertEquals(s, Redaction.text(s));
        }
    }

    @Test
    void aQuotedValueIsHiddenToItsClosingQuote() {
        assertEquals("password=\"***\" user=u", Redaction.text("password=\"two words\" user=u"));
        assertEquals("password='***' user=u", Redaction.text("password='two words' user=u"));
        assertEquals("{\"sas_token\":\"***\",\"n\":1}", Redaction.text("{\"sas_token\":\"a \\\"b\\\" c\",\"n\":1}"));
        assertEquals("token=\"***", Redaction.text("token=\"cut short"));
        assertEquals("token=\"\"", Redaction.text("token=\"\""));
    }

    @Test
    void aSourceWithCredentialsInItsPathIsRecordedWithoutThem() {
        ChangeSource source = new ChangeSource() {
            @Override
            public String id() {
                return "id";
            }

            @Override
            public String path() {
                return "s3a://AKIA:SECRET@bucket/x";
            }

            @Override
            public FeatureSchema schema() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long latestVersion() {
                return -1;
            }

            @Override
            public void bootstrap(long version, ChangeSink sink) {
            }

            @Override
            public void changes(long afterVersion, long upToVersion, ChangeSink sink) {
            }
        };
        assertEquals("s3a://***@bucket/x", source.origin().sourcePath());
        String failed = new FeedException("t", 3, source.path(), new IllegalStateException("at " + source.path()))
                .getMessage();
        assertFalse(failed.contains("SECRET"), failed);
        assertTrue(failed.contains("version 3 of s3a://***@bucket/x failed"), failed);
    }
}
