namespace FogLens.Contracts.Messages;

/// <summary>
/// Metadata of a fog's model update (topic <c>foglens/v1/fl/round/{roundId}/update/{fogId}</c>);
/// the codec's bytes are the payload of the <see cref="Serialization.BinaryFrame"/>.
/// </summary>
/// <param name="Header">Common header; sender is the fog.</param>
/// <param name="RoundId">Round this update answers.</param>
/// <param name="BaseModelVersion">Global model version the update was computed against.</param>
/// <param name="Codec">Codec id of the payload.</param>
/// <param name="SampleCount">Local training samples (aggregation weight).</param>
/// <param name="LocalSteps">Optimizer steps taken locally.</param>
/// <param name="TrainLoss">Mean local training loss of the last epoch.</param>
/// <param name="LocalValidationMae">MAE on the fog's local validation split, when it has one.</param>
public sealed record ModelUpdateMetadata(
    MessageHeader Header,
    long RoundId,
    string BaseModelVersion,
    string Codec,
    int SampleCount,
    int LocalSteps,
    double TrainLoss,
    double? LocalValidationMae) : IFogLensMessage
{
    public string? Validate()
    {
        if (RoundId <= 0)
        {
            return "roundId must be positive";
        }

        if (string.IsNullOrEmpty(BaseModelVersion) || BaseModelVersion.Length > 64 || string.IsNullOrEmpty(Codec) || Codec.Length > 16)
        {
            return "baseModelVersion or codec missing or too long";
        }

        if (SampleCount <= 0 || LocalSteps < 0)
        {
            return "sampleCount must be positive and localSteps not negative";
        }

        return !double.IsFinite(TrainLoss) || (LocalValidationMae is { } mae && !double.IsFinite(mae))
            ? "metrics must be finite"
            : null;
    }
}
