using System.Runtime.InteropServices;

namespace FogLens.AgeModel.Onnx;

/// <summary>
/// Builds an ONNX ModelProto (IR 8, opset 17) from nodes and float initializers. Field numbers follow
/// onnx.proto: ModelProto{ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8,
/// metadata_props 14}; GraphProto{node 1, name 2, initializer 5, input 11, output 12};
/// NodeProto{input 1, output 2, name 3, op_type 4, attribute 5}; AttributeProto{name 1, f 2, i 3,
/// ints 8, type 20}; TensorProto{dims 1, data_type 2, name 8, raw_data 9}.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private const int FloatType = 1;
    private const int Uint8Type = 2;
    private const int Int8Type = 3;
    private const int Int32Type = 6;
    private const int AttributeFloat = 1;
    private const int AttributeInt = 2;
    private const int AttributeInts = 7;
    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<Action<ProtoWriter>> _initializers = [];
    private readonly List<Action<ProtoWriter>> _inputs = [];
    private readonly List<Action<ProtoWriter>> _outputs = [];
    private readonly List<(string Key, string Value)> _metadata = [];
    private int _nodeCount;

    public void Input(string name, params object[] dims) => _inputs.Add(w => ValueInfo(w, name, dims));

    public void Output(string name, params object[] dims) => _outputs.Add(w => ValueInfo(w, name, dims));

    public void Metadata(string key, string value) => _metadata.Add((key, value));

    public void Initializer(string name, long[] dims, float[] values) =>
        Raw(name, dims, values.Length, FloatType, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public void Initializer(string name, long[] dims, sbyte[] values) =>
        Raw(name, dims, values.Length, Int8Type, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public void Initializer(string name, long[] dims, byte[] values) =>
        Raw(name, dims, values.Length, Uint8Type, (byte[])values.Clone());

    public void Initializer(string name, long[] dims, int[] values) =>
        Raw(name, dims, values.Length, Int32Type, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private void Raw(string name, long[] dims, long count, int dataType, byte[] raw)
    {
        if (count != dims.Aggregate(1L, (a, b) => a * b))
        {
            throw new ArgumentException($"initializer '{name}' has {count} values for dims [{string.Join(',', dims)}]");
        }

        _initializers.Add(w =>
        {
            foreach (var d in dims)
            {
                w.Int64(1, d);
            }

            w.Int64(2, dataType);
            w.String(8, name);
            w.Bytes(9, raw);
        });
    }

    /// <summary>Adds a node; attribute values are long, float or long[].</summary>
    public void Node(string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var name = $"{opType}_{_nodeCount++}";
        _nodes.Add(w =>
        {
            foreach (var i in inputs)
            {
                w.String(1, i);
            }

            foreach (var o in outputs)
            {
                w.String(2, o);
            }

            w.String(3, name);
            w.String(4, opType);
            foreach (var (attrName, value) in attributes)
            {
                w.Message(5, a =>
                {
                    a.String(1, attrName);
                    switch (value)
                    {
                        case long l:
                            a.Int64(3, l);
                            a.Int64(20, AttributeInt);
                            break;
                        case float f:
                            a.Float(2, f);
                            a.Int64(20, AttributeFloat);
                            break;
                        case long[] ls:
                            foreach (var l in ls)
                            {
                                a.Int64(8, l);
                            }

                            a.Int64(20, AttributeInts);
                            break;
                        default:
                            throw new ArgumentException($"unsupported attribute type {value?.GetType()}");
                    }
                });
            }
        });
    }

    public byte[] Build(string graphName, string producerVersion)
    {
        var model = new ProtoWriter();
        model.Int64(1, 8);
        model.String(2, "FogLens");
        model.String(3, producerVersion);
        model.Message(7, g =>
        {
            foreach (var n in _nodes)
            {
                g.Message(1, n);
            }

            g.String(2, graphName);
            foreach (var i in _initializers)
            {
                g.Message(5, i);
            }

            foreach (var i in _inputs)
            {
                g.Message(11, i);
            }

            foreach (var o in _outputs)
            {
                g.Message(12, o);
            }
        });
        model.Message(8, o =>
        {
            o.String(1, string.Empty);
            o.Int64(2, 17);
        });
        foreach (var (key, value) in _metadata)
        {
            model.Message(14, m =>
            {
                m.String(1, key);
                m.String(2, value);
            });
        }

        return model.ToArray();
    }

    private static void ValueInfo(ProtoWriter w, string name, object[] dims)
    {
        w.String(1, name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int64(1, FloatType);
            tensor.Message(2, shape =>
            {
                foreach (var d in dims)
                {
                    shape.Message(1, dim =>
                    {
                        if (d is string symbolic)
                        {
                            dim.String(2, symbolic);
                        }
                        else
                        {
                            dim.Int64(1, Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture));
                        }
                    });
                }
            });
        }));
    }
}
