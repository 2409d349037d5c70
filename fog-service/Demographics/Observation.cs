namespace FogLens.FogService.Demographics;

/// <summary>One inferred face: the crop's message id, where and when it was seen, and its estimated age.</summary>
public sealed record Observation(Guid MessageId, string EdgeId, string CameraId, DateTimeOffset CapturedAt, double Age, string ModelVersion);
