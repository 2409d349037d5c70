namespace FogLens.Contracts.Messages;

/// <summary>
/// Retained announcement of the current age model (topic <c>foglens/v1/models/age/current</c>).
/// Fogs download the ONNX graph of their precision (the int8 one, when the announcement has it and
/// Fog:ModelPrecision is int8), verify its hash and hot-swap the inference model.
/// </summary>
public sealed record ModelAnnouncement(
    MessageHeader Header,
    string ModelVersion,
    string OnnxSha256,
    Uri OnnxUri,
    string WeightsSha256,
    Uri WeightsUri,
    double? ValidationMae,
    DateTimeOffset CreatedAt,
    string? Int8OnnxSha256 = null,
    Uri? Int8OnnxUri = null) : IFogLensMessage
{
    public string? Validate()
    {
        if ((Int8OnnxSha256 is null) != (Int8OnnxUri is null)
            || (Int8OnnxSha256 is not null && !Sha256Hex.IsValid(Int8OnnxSha256))
            || (Int8OnnxUri is not null && (!Int8OnnxUri.IsAbsoluteUri || (Int8OnnxUri.Scheme != Uri.UriSchemeHttp && Int8OnnxUri.Scheme != Uri.UriSchemeHttps))))
        {
            return "int8OnnxSha256 and int8OnnxUri come together: a valid hash and an absolute http(s) URI";
        }

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
