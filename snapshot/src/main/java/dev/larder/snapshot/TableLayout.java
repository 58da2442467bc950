package dev.larder.snapshot;

import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How one table version's logical columns map onto data files: physical read schema (column mapping
 * resolved), and which logical columns come from partition values; immutable.
 */
final class TableLayout {
    static final String CHANGE_TYPE_COLUMN = "_change_type";

    final DeltaSchema schema;
    final DataType[] types;
    /** Per logical column: index in {@link #dataReadSchema}, or -1 for a partition column. */
    final int[] dataIndex;
    /** Per logical column: key in an action's partitionValues (the physical name), or null. */
    final String[] partitionKey;
    /** Physical data columns only: what a data file is asked for; extra physical columns are never read. */
    final StructType dataReadSchema;

    private TableLayout(DeltaSchema schema, DataType[] types, int[] dataIndex, String[] partitionKey,
                        StructType dataReadSchema) {
        this.schema = schema;
        this.types = types;
        this.dataIndex = dataIndex;
        this.partitionKey = partitionKey;
        this.dataReadSchema = dataReadSchema;
    }

    static TableLayout of(StructType logical, List<String> partitionColumns, Map<String, String> configuration,
                          String tablePath, long version) {
        boolean mapped = KernelInternals.mapsColumns(configuration);
        int n = logical.length();
        List<DeltaColumn> columns = new ArrayList<>(n);
        DataType[] types = new DataType[n];
        int[] dataIndex = new int[n];
        String[] partitionKey = new String[n];
        StructType dataLogical = new StructType();
        for (int i = 0; i < n; i++) {
            StructField f = logical.at(i);
            boolean partition = containsIgnoreCase(partitionColumns, f.getName());
            columns.add(new DeltaColumn(f.getName(), deltaType(f.getDataType(), tablePath, version, f.getName()),
                    f.isNullable(), partition));
            types[i] = f.getDataType();
            if (partition) {
                dataIndex[i] = -1;
                partitionKey[i] = mapped ? KernelInternals.physicalName(f) : f.getName();
            } else {
                dataIndex[i] = dataLogical.length();
                dataLogical = dataLogical.add(f);
            }
        }
        StructType physical = KernelInternals.physicalSchema(dataLogical, logical, configuration);
        return new TableLayout(new DeltaSchema(columns), types, dataIndex, partitionKey, physical);
    }

    // Delta matches partition column names case-insensitively against the schema.
    private static boolean containsIgnoreCase(List<String> names, String name) {
        for (String s : names) {
            if (s.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** Constant vectors holding this file's typed partition values, indexed by logical column (null if data). */
    ColumnVector[] partitionVectors(Map<String, String> partitionValues, String tablePath, long version,
                                    String file) {
        ColumnVector[] out = new ColumnVector[types.length];
        for (int i = 0; i < types.length; i++) {
            if (dataIndex[i] >= 0) {
                continue;
            }
            String raw = partitionValues == null ? null : partitionValues.get(partitionKey[i]);
            Object value;
            try {
                // Kernel's own parser, so partition values read exactly as Kernel's scans would read them.
                Literal lit = raw == null ? null : KernelInternals.partitionValue(types[i], raw);
                value = lit == null ? null : lit.getValue();
            } catch (RuntimeException e) {
                throw new DeltaReadException(DeltaReadException.Reason.INVALID_DATA, tablePath, version, file,
                        schema.column(i).name(), "unparseable partition value '" + raw + "'", e);
            }
            out[i] = new ConstantVector(types[i], value);
        }
        return out;
    }

    static DeltaType deltaType(DataType t, String tablePath, long version, String column) {
        if (t instanceof BooleanType) {
            return primitive(DeltaType.Kind.BOOLEAN, "boolean");
        } else if (t instanceof ByteType) {
            return primitive(DeltaType.Kind.BYTE, "byte");
        } else if (t instanceof ShortType) {
            return primitive(DeltaType.Kind.SHORT, "short");
        } else if (t instanceof IntegerType) {
            return primitive(DeltaType.Kind.INT, "integer");
        } else if (t instanceof LongType) {
            return primitive(DeltaType.Kind.LONG, "long");
        } else if (t instanceof FloatType) {
            return primitive(DeltaType.Kind.FLOAT, "float");
        } else if (t instanceof DoubleType) {
            return primitive(DeltaType.Kind.DOUBLE, "double");
        } else if (t instanceof DecimalType d) {
            return new DeltaType(DeltaType.Kind.DECIMAL, d.getPrecision(), d.getScale(),
                    "decimal(" + d.getPrecision() + "," + d.getScale() + ")");
        } else if (t instanceof StringType) {
            return primitive(DeltaType.Kind.STRING, "string");
        } else if (t instanceof BinaryType) {
            return primitive(DeltaType.Kind.BINARY, "binary");
        } else if (t instanceof DateType) {
            return primitive(DeltaType.Kind.DATE, "date");
        } else if (t instanceof TimestampType) {
            return primitive(DeltaType.Kind.TIMESTAMP, "timestamp");
        } else if (t instanceof TimestampNTZType) {
            return primitive(DeltaType.Kind.TIMESTAMP_NTZ, "timestamp_ntz");
        } else if (t instanceof StructType s) {
            StringBuilder sb = new StringBuilder("struct<");
            for (int i = 0; i < s.length(); i++) {
                StructField f = s.at(i);
                sb.append(i == 0 ? "" : ",").append(f.getName()).append(':')
                        .append(deltaType(f.getDataType(), tablePath, version, column).deltaName());
            }
            return new DeltaType(DeltaType.Kind.STRUCT, 0, 0, sb.append('>').toString());
        } else if (t instanceof ArrayType a) {
            return new DeltaType(DeltaType.Kind.ARRAY, 0, 0,
                    "array<" + deltaType(a.getElementType(), tablePath, version, column).deltaName() + ">");
        } else if (t instanceof MapType m) {
            return new DeltaType(DeltaType.Kind.MAP, 0, 0,
                    "map<" + deltaType(m.getKeyType(), tablePath, version, column).deltaName() + ","
                            + deltaType(m.getValueType(), tablePath, version, column).deltaName() + ">");
        }
        throw new DeltaReadException(DeltaReadException.Reason.UNSUPPORTED_FEATURE, tablePath, version, null, column,
                "unsupported column type " + t, null);
    }

    private static DeltaType primitive(DeltaType.Kind kind, String name) {
        return new DeltaType(kind, 0, 0, name);
    }
}
