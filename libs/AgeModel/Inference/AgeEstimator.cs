using System.Buffers;
using FogLens.AgeModel.Imaging;
using FogLens.AgeModel.Onnx;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace FogLens.AgeModel.Inference;

/// <summary>
/// Owns the ONNX Runtime session of an age model. Validates input and output names and shapes at load,
/// preprocesses crops with <see cref="FacePreprocessor"/> (the training path) into pooled buffers, and
/// runs batches. Thread-safe: ONNX Runtime sessions may be run concurrently.
/// </summary>
public sealed class AgeEstimator : IDisposable
{
    private readonly InferenceSession _session;

    /// <summary>
    /// Held for the estimator's lifetime: ONNX Runtime's Run hands the options to native code as a raw handle, so
    /// options created inline in the call can be finalised and freed by a garbage collection while the run still
    /// reads them (garbage log levels, segfaults in libonnxruntime.so).
    /// </summary>
    private readonly RunOptions _runOptions = new();

    public AgeEstimator(string onnxPath, int intraOpThreads = 1)
        : this(File.ReadAllBytes(onnxPath), intraOpThreads, onnxPath)
    {
    }

    public AgeEstimator(byte[] onnxModel, int intraOpThreads = 1, string source = "(memory)")
    {
        ArgumentNullException.ThrowIfNull(onnxModel);
        using var options = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, intraOpThreads),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        try
        {
            _session = new InferenceSession(onnxModel, options);
        }
        catch (OnnxRuntimeException ex)
        {
            _runOptions.Dispose();
            throw new InvalidDataException($"{source} is not a loadable ONNX model: {ex.Message}", ex);
        }

        try
        {
            InputSize = AgeNetOnnxContract.Validate(_session, source);
            var metadata = _session.ModelMetadata.CustomMetadataMap;
            Groups = metadata.TryGetValue(AgeNetOnnxContract.AgeGroupsKey, out var groups) ? AgeGroupSet.Parse(groups) : AgeGroupSet.Default;
            ModelVersion = metadata.TryGetValue(AgeNetOnnxContract.ModelVersionKey, out var version) ? version : "unknown";
            ParentVersion = metadata.TryGetValue(AgeNetOnnxContract.ParentVersionKey, out var parent) ? parent : null;
            Precision = AgeNetOnnxContract.ParsePrecision(metadata.TryGetValue(AgeNetOnnxContract.PrecisionKey, out var precision) ? precision : null);
            Preprocessor = new FacePreprocessor(InputSize);
        }
        catch
        {
            _session.Dispose();
            _runOptions.Dispose();
            throw;
        }
    }

    public int InputSize { get; }

    public AgeGroupSet Groups { get; }

    public string ModelVersion { get; }

    /// <summary>The version this model was trained from (metadata), if it says.</summary>
    public string? ParentVersion { get; }

    /// <summary>Arithmetic of the graph (metadata; fp32 when absent).</summary>
    public AgeModelPrecision Precision { get; }

    public FacePreprocessor Preprocessor { get; }

    /// <summary>
    /// Flip test-time augmentation: each face is also run mirrored left-right and the two distributions are averaged
    /// (twice the inference cost). Off by default; <c>age eval --flip</c> measures what it buys.
    /// </summary>
    public bool FlipAverage { get; init; }

    /// <summary>Estimates ages of BGR face crops (any size), in one batch.</summary>
    public IReadOnlyList<AgePrediction> Predict(IReadOnlyList<Mat> crops)
    {
        ArgumentNullException.ThrowIfNull(crops);
        if (crops.Count == 0)
        {
            return [];
        }

        var length = Preprocessor.TensorLength;
        var buffer = ArrayPool<float>.Shared.Rent(crops.Count * length);
        try
        {
            for (var i = 0; i < crops.Count; i++)
            {
                Preprocessor.Prepare(crops[i], buffer.AsSpan(i * length, length));
            }

            return PredictPrepared(buffer.AsMemory(0, crops.Count * length), crops.Count);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Decodes encoded images (JPEG, PNG...) and estimates their ages in one batch; an entry that is not a
    /// readable image gives null (the caller counts and reports it).
    /// </summary>
    /// <param name="images">Encoded images.</param>
    /// <param name="flipAverage">Flip test-time augmentation for this call; null: <see cref="FlipAverage"/>.</param>
    public IReadOnlyList<AgePrediction?> PredictEncoded(IReadOnlyList<ReadOnlyMemory<byte>> images, bool? flipAverage = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        var results = new AgePrediction?[images.Count];
        var length = Preprocessor.TensorLength;
        var buffer = ArrayPool<float>.Shared.Rent(Math.Max(1, images.Count) * length);
        var decoded = new List<int>(images.Count);
        try
        {
            for (var i = 0; i < images.Count; i++)
            {
                using var image = FacePreprocessor.Decode(images[i].Span);
                if (image is not null)
                {
                    Preprocessor.Prepare(image, buffer.AsSpan(decoded.Count * length, length));
                    decoded.Add(i);
                }
            }

            if (decoded.Count > 0)
            {
                var predictions = PredictPrepared(buffer.AsMemory(0, decoded.Count * length), decoded.Count, flipAverage);
                for (var k = 0; k < decoded.Count; k++)
                {
                    results[decoded[k]] = predictions[k];
                }
            }

            return results;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Runs already preprocessed CHW tensors (count × 3 × S × S floats); <paramref name="flipAverage"/> null: <see cref="FlipAverage"/>.</summary>
    public IReadOnlyList<AgePrediction> PredictPrepared(Memory<float> inputs, int count, bool? flipAverage = null)
    {
        if (count <= 0 || inputs.Length != count * Preprocessor.TensorLength)
        {
            throw new ArgumentException($"expected {count} × {Preprocessor.TensorLength} floats, got {inputs.Length}", nameof(inputs));
        }

        var flip = flipAverage ?? FlipAverage;
        var runs = flip ? 2 : 1;
        var batch = inputs;
        float[]? both = null;
        if (flip)
        {
            both = ArrayPool<float>.Shared.Rent(2 * inputs.Length);
            inputs.Span.CopyTo(both);
            Mirror(inputs.Span, both.AsSpan(inputs.Length, inputs.Length), InputSize);
            batch = both.AsMemory(0, 2 * inputs.Length);
        }

        try
        {
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, batch, [runs * count, 3, InputSize, InputSize]);
            using var results = _session.Run(_runOptions, [AgeNetOnnxContract.InputName], [input], [AgeNetOnnxContract.ProbabilitiesName, AgeNetOnnxContract.AgeName]);
            var probabilities = results[0].GetTensorDataAsSpan<float>();
            var ages = results[1].GetTensorDataAsSpan<float>();
            var predictions = new AgePrediction[count];
            for (var i = 0; i < count; i++)
            {
                var distribution = probabilities.Slice(i * LabelDistribution.Bins, LabelDistribution.Bins).ToArray();
                double age = ages[i];
                if (flip)
                {
                    var mirrored = probabilities.Slice((count + i) * LabelDistribution.Bins, LabelDistribution.Bins);
                    for (var b = 0; b < distribution.Length; b++)
                    {
                        distribution[b] = 0.5f * (distribution[b] + mirrored[b]);
                    }

                    age = 0.5 * (ages[i] + ages[count + i]); // the expectation of the averaged distribution
                }

                var groups = new float[Groups.Count];
                Groups.GroupProbabilities(distribution, groups);
                predictions[i] = new AgePrediction(age, distribution, Groups.IndexOf(age), groups);
            }

            return predictions;
        }
        finally
        {
            if (both is not null)
            {
                ArrayPool<float>.Shared.Return(both);
            }
        }
    }

    /// <summary>Writes the left-right mirror of CHW tensors (rows of <paramref name="size"/> floats reversed).</summary>
    private static void Mirror(ReadOnlySpan<float> source, Span<float> target, int size)
    {
        for (var row = 0; row < source.Length; row += size)
        {
            var from = source.Slice(row, size);
            var to = target.Slice(row, size);
            for (var x = 0; x < size; x++)
            {
                to[x] = from[size - 1 - x];
            }
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }
}
