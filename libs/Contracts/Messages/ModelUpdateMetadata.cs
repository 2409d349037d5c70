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
/// <param name="DownloadBytes">Bytes the fog downloaded to get this round's model (0 when it held it; absent in older fogs).</param>
public sealed record ModelUpdateMetadata(
    MessageHeader Header,
    long RoundId,
    string BaseModelVersion,
    string Codec,
    int SampleCount,
    int LocalSteps,
    double TrainLoss,
    double? LocalValidationMae,
    long? DownloadBytes = null) : IFogLensMessage
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

        if (DownloadBytes is < 0 or > 1L << 40)
        {
            return "downloadBytes out of range";
        }

        return !double.IsFinite(TrainLoss) || (LocalValidationMae is { } mae && !double.IsFinite(mae))
            ? "metrics must be finite"
            : null;
    }
}
