package dev.larder.cli;

import dev.larder.cloud.CloudSettings;
import dev.larder.snapshot.DeltaSource;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --conf KEY=VALUE} Hadoop settings of the commands that read Delta (a picocli mixin), with the AWS environment. */
final class HadoopOptions {
    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Hadoop setting for reading the Delta table, repeatable "
            + "(e.g. fs.s3a.endpoint=http://host:9000). AWS credentials, region and profile also come from the standard "
            + "AWS environment variables and ~/.aws files; prefer them to putting secrets on the command line.")
    Map<String, String> conf = new LinkedHashMap<>();

    /** The settings every Delta read of this command uses: {@code --conf} over what the environment contributes. */
    Map<String, String> settings() {
        return CloudSettings.hadoopSettings(conf);
    }

    DeltaSource open(String pathOrUri) {
        return DeltaSource.open(pathOrUri, settings());
    }
}
