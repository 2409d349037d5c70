using System.Buffers;
using FogLens.AgeModel.Imaging;
using FogLens.AgeModel.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
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
            throw new InvalidDataException($"{source} is not a loadable ONNX model: {ex.Message}", ex);
        }

        try
        {
            InputSize = Validate(source);
            var metadata = _session.ModelMetadata.CustomMetadataMap;
            Groups = metadata.TryGetValue(AgeNetOnnxExporter.AgeGroupsKey, out var groups) ? AgeGroupSet.Parse(groups) : AgeGroupSet.Default;
            ModelVersion = metadata.TryGetValue(AgeNetOnnxExporter.ModelVersionKey, out var version) ? version : "unknown";
            Preprocessor = new FacePreprocessor(InputSize);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public int InputSize { get; }

    public AgeGroupSet Groups { get; }

    public string ModelVersion { get; }

    public FacePreprocessor Preprocessor { get; }

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
    public IReadOnlyList<AgePrediction?> PredictEncoded(IReadOnlyList<ReadOnlyMemory<byte>> images)
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
                var predictions = PredictPrepared(buffer.AsMemory(0, decoded.Count * length), decoded.Count);
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

    /// <summary>Runs already preprocessed CHW tensors (count × 3 × S × S floats).</summary>
    public IReadOnlyList<AgePrediction> PredictPrepared(Memory<float> inputs, int count)
    {
        if (count <= 0 || inputs.Length != count * Preprocessor.TensorLength)
        {
            throw new ArgumentException($"expected {count} × {Preprocessor.TensorLength} floats, got {inputs.Length}", nameof(inputs));
        }

        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, inputs, [count, 3, InputSize, InputSize]);
        using var results = _session.Run(new RunOptions(), [AgeNetOnnxExporter.InputName], [input], [AgeNetOnnxExporter.ProbabilitiesName, AgeNetOnnxExporter.AgeName]);
        var probabilities = results[0].GetTensorDataAsSpan<float>();
        var ages = results[1].GetTensorDataAsSpan<float>();
        var predictions = new AgePrediction[count];
        for (var i = 0; i < count; i++)
        {
            var distribution = probabilities.Slice(i * LabelDistribution.Bins, LabelDistribution.Bins).ToArray();
            var groups = new float[Groups.Count];
            Groups.GroupProbabilities(distribution, groups);
            predictions[i] = new AgePrediction(ages[i], distribution, Groups.IndexOf(ages[i]), groups);
        }

        return predictions;
    }

    public void Dispose() => _session.Dispose();

    private int Validate(string source)
    {
        if (!_session.InputMetadata.TryGetValue(AgeNetOnnxExporter.InputName, out var input) || _session.InputMetadata.Count != 1)
        {
            throw new InvalidDataException($"{source}: expected one input named '{AgeNetOnnxExporter.InputName}'");
        }

        var dims = input.Dimensions;
        if (input.ElementDataType != TensorElementType.Float || dims.Length != 4 || dims[1] != 3 || dims[2] != dims[3] || dims[2] < 16)
        {
            throw new InvalidDataException($"{source}: input must be float [batch,3,S,S], is {input.ElementDataType} [{string.Join(',', dims)}]");
        }

        if (!_session.OutputMetadata.TryGetValue(AgeNetOnnxExporter.ProbabilitiesName, out var probabilities)
            || probabilities.Dimensions.Length != 2 || probabilities.Dimensions[1] != LabelDistribution.Bins)
        {
            throw new InvalidDataException($"{source}: expected output '{AgeNetOnnxExporter.ProbabilitiesName}' [batch,{LabelDistribution.Bins}]");
        }

        if (!_session.OutputMetadata.TryGetValue(AgeNetOnnxExporter.AgeName, out var age) || age.Dimensions.Length != 2 || age.Dimensions[1] != 1)
        {
            throw new InvalidDataException($"{source}: expected output '{AgeNetOnnxExporter.AgeName}' [batch,1]");
        }

        return dims[2];
    }
}
