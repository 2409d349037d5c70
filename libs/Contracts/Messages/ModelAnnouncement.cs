namespace FogLens.Contracts.Messages;

/// <summary>
/// Retained announcement of the current age model (topic <c>foglens/v1/models/age/current</c>).
/// Fogs download both files, verify their hashes and hot-swap the inference model.
/// </summary>
public sealed record ModelAnnouncement(
    MessageHeader Header,
    string ModelVersion,
    string OnnxSha256,
    Uri OnnxUri,
    string WeightsSha256,
    Uri WeightsUri,
    double? ValidationMae,
    DateTimeOffset CreatedAt) : IFogLensMessage
{
    public string? Validate()
    {
        if (string.IsNullOrEmpty(ModelVersion) || ModelVersion.Length > 64)
        {
            return "modelVersion missing or too long";
        }

        if (!Sha256Hex.IsValid(OnnxSha256) || !Sha256Hex.IsValid(WeightsSha256))
        {
            return "hashes must be 64 hex characters";
        }

        if (OnnxUri is null || !OnnxUri.IsAbsoluteUri || WeightsUri is null || !WeightsUri.IsAbsoluteUri)
        {
            return "model URIs must be absolute";
        }

        return ValidationMae is { } mae && (!double.IsFinite(mae) || mae < 0) ? "validationMae out of range" : null;
    }
}
