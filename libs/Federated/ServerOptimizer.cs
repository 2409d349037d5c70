using System.Buffers.Binary;
using System.IO.Hashing;
using System.Numerics.Tensors;
using System.Text;
using FogLens.Compression;

namespace FogLens.Federated;

/// <summary>
/// Applies the round's averaged update Δ̄ to the global model with server learning rate and momentum
/// (FedAvgM) or FedAdam, keeping the optimiser state (velocity, second moment) between rounds. The state is
/// persisted with <see cref="Save"/> / <see cref="Load"/> (format "FLSO", CRC32-protected) so a coordinator
/// restart continues the same trajectory. Running statistics (BatchNorm) take Δ̄ as it is. Not thread-safe.
/// </summary>
public sealed class ServerOptimizer
{
    private const byte FormatVersion = 1;
    private readonly Dictionary<string, float[]> _velocity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, float[]> _second = new(StringComparer.Ordinal);

    public ServerOptimizer(ServerOptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    public ServerOptimizerOptions Options { get; }

    /// <summary>Rounds applied so far.</summary>
    public long Steps { get; private set; }

    public IReadOnlyDictionary<string, float[]> Velocity => _velocity;

    public IReadOnlyDictionary<string, float[]> SecondMoment => _second;

    /// <summary>Whether a tensor is a running statistic (averaged, never given momentum or a learning rate).</summary>
    public static bool IsStatistic(string tensorName) =>
        tensorName.EndsWith("running_mean", StringComparison.Ordinal) || tensorName.EndsWith("running_var", StringComparison.Ordinal);

    /// <summary>The next global state from <paramref name="global"/> and the averaged update <paramref name="mean"/> (one array per tensor, in update space).</summary>
    public ModelState Step(ModelState global, IReadOnlyList<float[]> mean)
    {
        ArgumentNullException.ThrowIfNull(global);
        ArgumentNullException.ThrowIfNull(mean);
        if (mean.Count != global.Specs.Count)
        {
            throw new ArgumentException($"{mean.Count} update tensors for a model of {global.Specs.Count}", nameof(mean));
        }

        var result = global.Clone();
        Steps++;
        var o = Options;
        for (var t = 0; t < mean.Count; t++)
        {
            var spec = global.Specs[t];
            var delta = mean[t];
            if (delta.LongLength != spec.ElementCount)
            {
                throw new ArgumentException($"update of {spec} has {delta.Length} values", nameof(mean));
            }

            if (IsStatistic(spec.Name))
            {
                UpdateSpace.Apply(spec.Name, result.Values[t], delta);
                continue;
            }

            var step = new float[delta.Length];
            if (o.Kind == ServerOptimizerKind.Sgd)
            {
                if (o.Momentum > 0)
                {
                    var v = Buffer(_velocity, spec);
                    TensorPrimitives.MultiplyAdd(v, (float)o.Momentum, delta, v);
                    TensorPrimitives.Multiply(v, (float)o.LearningRate, step);
                }
                else
                {
                    TensorPrimitives.Multiply(delta, (float)o.LearningRate, step);
                }
            }
            else
            {
                // FedAdam on the pseudo-gradient −Δ̄: m = β₁m + (1−β₁)Δ̄, v = β₂v + (1−β₂)Δ̄², W += η·m/(√v + τ).
                var m = Buffer(_velocity, spec);
                var v = Buffer(_second, spec);
                var b1 = (float)o.Momentum;
                var b2 = (float)o.Beta2;
                for (var i = 0; i < delta.Length; i++)
                {
                    m[i] = (b1 * m[i]) + ((1 - b1) * delta[i]);
                    v[i] = (b2 * v[i]) + ((1 - b2) * delta[i] * delta[i]);
                    step[i] = (float)(o.LearningRate * m[i] / (Math.Sqrt(v[i]) + o.Epsilon));
                }
            }

            UpdateSpace.Apply(spec.Name, result.Values[t], step);
        }

        return result;
    }

    private static float[] Buffer(Dictionary<string, float[]> buffers, TensorSpec spec)
    {
        if (buffers.TryGetValue(spec.Name, out var b))
        {
            return b.LongLength == spec.ElementCount ? b : throw new InvalidOperationException($"optimiser state of '{spec.Name}' has {b.Length} values, the model {spec.ElementCount}: the model changed");
        }

        b = new float[spec.ElementCount];
        buffers[spec.Name] = b;
        return b;
    }

    public byte[] Serialize()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("FLSO"u8);
            writer.Write(FormatVersion);
            writer.Write(Steps);
            foreach (var buffers in new[] { _velocity, _second })
            {
                writer.Write(buffers.Count);
                foreach (var (name, values) in buffers.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    writer.Write(name);
                    writer.Write(values.Length);
                    foreach (var x in values)
                    {
                        writer.Write(x);
                    }
                }
            }
        }

        var body = stream.ToArray();
        var result = new byte[body.Length + 4];
        body.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(body.Length), Crc32.HashToUInt32(body));
        return result;
    }

    /// <summary>Restores a serialised state into an optimiser with <paramref name="options"/>; a corrupt state throws <see cref="InvalidDataException"/>.</summary>
    public static ServerOptimizer Deserialize(byte[] data, ServerOptimizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length < 4 + 1 + 8 + 8 + 4 || !data.AsSpan(0, 4).SequenceEqual("FLSO"u8) || data[4] != FormatVersion)
        {
            throw new InvalidDataException("not a server optimiser state (FLSO version 1)");
        }

        if (Crc32.HashToUInt32(data.AsSpan(0, data.Length - 4)) != BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(data.Length - 4)))
        {
            throw new InvalidDataException("server optimiser state checksum mismatch");
        }

        var optimizer = new ServerOptimizer(options);
        using var reader = new BinaryReader(new MemoryStream(data, 5, data.Length - 9), Encoding.UTF8);
        try
        {
            optimizer.Steps = reader.ReadInt64();
            foreach (var buffers in new[] { optimizer._velocity, optimizer._second })
            {
                var count = reader.ReadInt32();
                for (var t = 0; t < count; t++)
                {
                    var name = reader.ReadString();
                    var n = reader.ReadInt32();
                    if (n < 0 || n > (reader.BaseStream.Length - reader.BaseStream.Position) / 4)
                    {
                        throw new InvalidDataException($"server optimiser state: tensor '{name}' announces {n} values");
                    }

                    var values = new float[n];
                    for (var i = 0; i < n; i++)
                    {
                        values[i] = reader.ReadSingle();
                    }

                    buffers[name] = values;
                }
            }
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("server optimiser state is truncated", ex);
        }

        return optimizer;
    }

    /// <summary>Writes the state atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, Serialize());
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>The optimiser saved at <paramref name="path"/>, or a fresh one when there is no file.</summary>
    public static ServerOptimizer Load(string path, ServerOptimizerOptions options) =>
        File.Exists(path) ? Deserialize(File.ReadAllBytes(path), options) : new ServerOptimizer(options);
}
