using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace FogLens.AgeModel.Onnx;

/// <summary>
/// The interface between the exporters (<see cref="AgeNetOnnxExporter"/>, <see cref="AgeNetQdqExporter"/>) and
/// inference (<see cref="Inference.AgeEstimator"/>): tensor names and shapes, and the metadata keys an age model
/// carries. Both sides use it; <see cref="Validate"/> is the check at load.
/// </summary>
public static class AgeNetOnnxContract
{
    /// <summary>Input: float [batch, 3, S, S], RGB normalised to [−1, 1] by <see cref="Imaging.FacePreprocessor"/>.</summary>
    public const string InputName = "input";

    /// <summary>Output: float [batch, 101], the age distribution (softmax).</summary>
    public const string ProbabilitiesName = "probabilities";

    /// <summary>Output: float [batch, 1], the expected age.</summary>
    public const string AgeName = "age";

    /// <summary>Smallest accepted input side.</summary>
    public const int MinInputSize = 16;

    /// <summary>Metadata: input side S in pixels.</summary>
    public const string InputSizeKey = "foglens.input_size";

    /// <summary>Metadata: age groups, e.g. "0-2,3-9,...,70+".</summary>
    public const string AgeGroupsKey = "foglens.age_groups";

    /// <summary>Metadata: the model version (a node id: no '.').</summary>
    public const string ModelVersionKey = "foglens.model_version";

    /// <summary>Metadata (optional): the version this one was trained from.</summary>
    public const string ParentVersionKey = "foglens.parent_version";

    /// <summary>Metadata (optional): <see cref="AgeModelPrecision"/> of the arithmetic, "fp32" when absent.</summary>
    public const string PrecisionKey = "foglens.precision";

    /// <summary>The metadata value of a precision.</summary>
    public static string PrecisionValue(AgeModelPrecision precision) => precision switch
    {
        AgeModelPrecision.Fp32 => "fp32",
        AgeModelPrecision.Int8 => "int8",
        _ => throw new ArgumentOutOfRangeException(nameof(precision), precision, "unknown precision"),
    };

    /// <summary>Parses a metadata value written by <see cref="PrecisionValue"/>.</summary>
    public static AgeModelPrecision ParsePrecision(string? value) => value switch
    {
        null or "fp32" => AgeModelPrecision.Fp32,
        "int8" => AgeModelPrecision.Int8,
        _ => throw new InvalidDataException($"{PrecisionKey} is '{value}', expected fp32 or int8"),
    };

    /// <summary>
    /// Checks a loaded session against the contract (one float input [batch,3,S,S], the two outputs) and returns S.
    /// Throws <see cref="InvalidDataException"/> naming <paramref name="source"/> and what is wrong.
    /// </summary>
    public static int Validate(InferenceSession session, string source)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (!session.InputMetadata.TryGetValue(InputName, out var input) || session.InputMetadata.Count != 1)
        {
            throw new InvalidDataException($"{source}: expected one input named '{InputName}'");
        }

        var dims = input.Dimensions;
        if (input.ElementDataType != TensorElementType.Float || dims.Length != 4 || dims[1] != 3 || dims[2] != dims[3] || dims[2] < MinInputSize)
        {
            throw new InvalidDataException($"{source}: input must be float [batch,3,S,S], is {input.ElementDataType} [{string.Join(',', dims)}]");
        }

        if (!session.OutputMetadata.TryGetValue(ProbabilitiesName, out var probabilities)
            || probabilities.Dimensions.Length != 2 || probabilities.Dimensions[1] != LabelDistribution.Bins)
        {
            throw new InvalidDataException($"{source}: expected output '{ProbabilitiesName}' [batch,{LabelDistribution.Bins}]");
        }

        if (!session.OutputMetadata.TryGetValue(AgeName, out var age) || age.Dimensions.Length != 2 || age.Dimensions[1] != 1)
        {
            throw new InvalidDataException($"{source}: expected output '{AgeName}' [batch,1]");
        }

        var metadata = session.ModelMetadata.CustomMetadataMap;
        if (metadata.TryGetValue(InputSizeKey, out var declared)
            && (!int.TryParse(declared, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size != dims[2]))
        {
            throw new InvalidDataException($"{source}: metadata {InputSizeKey} '{declared}' disagrees with the input side {dims[2]}");
        }

        return dims[2];
    }
}
