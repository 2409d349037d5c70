using FogLens.CloudPortal.Data;
using FogLens.Contracts.Messages;

namespace FogLens.CloudPortal.Tests;

/// <summary>The Overview's alert rules, without a host.</summary>
public sealed class PortalAlertsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static NodeView Fog(string id, bool online, int outbox = 0) =>
        new(new NodeRecord { Id = id, Kind = "fog", State = nameof(NodeState.Online), LastSeen = Now.AddMinutes(-10), OutboxDepth = outbox }, online);

    private static NodeView Edge(string id, SourceState? state, string? problem = null) =>
        new(new NodeRecord { Id = id, Kind = "edge", FogId = "fog-1", State = nameof(NodeState.Online), LastSeen = Now, CameraId = "entrance", SourceState = state, SourceProblem = problem }, true);

    private static TrainingRound Round(double? mae, double? reference) => new()
    {
        Id = 4,
        State = RoundState.Completed,
        BaseVersion = "age-v1-cam",
        Codec = "sbc",
        Participants = "fog-1",
        Mae = mae,
        ReferenceMae = reference,
    };

    [Fact]
    public void AHealthySystem_HasNoAlerts()
    {
        Assert.Empty(PortalAlerts.From([Fog("fog-1", true, outbox: 3), Edge("edge-1", SourceState.Ok), Edge("edge-2", null)], Round(4.50, 4.56)));
        Assert.Empty(PortalAlerts.From([], Round(4.944, 4.942))); // did not improve, within evaluation noise: not a regression
    }

    [Fact]
    public void EachProblem_IsOneAlert_WithWhatToDo()
    {
        var alerts = PortalAlerts.From(
            [Fog("fog-2", false), Fog("fog-1", true, outbox: 400), Edge("edge-1", SourceState.Missing, "video file '/v.mp4' does not exist"), Edge("edge-2", SourceState.Ok)],
            Round(4.80, 4.56));
        Assert.Equal(["source-failing", "fog-offline", "outbox-growing", "model-regression"], alerts.Select(a => a.Kind)); // errors first
        Assert.Equal(["edge-1", "fog-2", "fog-1", "round 4"], alerts.Select(a => a.Subject));
        Assert.Contains("missing: video file '/v.mp4' does not exist", alerts[0].Message, StringComparison.Ordinal);
        Assert.Contains("400 windows waiting", alerts[2].Message, StringComparison.Ordinal);
        Assert.Contains("4.800 on the evaluation set, 0.240 years worse than the deployed best (4.560)", alerts[3].Message, StringComparison.Ordinal);
        Assert.All(alerts, a => Assert.False(string.IsNullOrWhiteSpace(a.Action)));
        Assert.Equal(["error", "error", "warning", "warning"], alerts.Select(a => a.Severity));
    }
}
