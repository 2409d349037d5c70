using System.Diagnostics;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Messaging;

namespace FogLens.FogService.Tests;

public sealed class MessageTracingTests
{
    [Fact]
    public void HeaderMadeInsideAnActivity_CarriesItsTrace_AndTheReceiverContinuesIt()
    {
        using var sender = new ActivitySource("FogLens.Test.Sender");
        using var receiver = new ActivitySource("FogLens.Test.Receiver");
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name.StartsWith("FogLens.Test.", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Add,
        };
        ActivitySource.AddActivityListener(listener);

        MessageHeader header;
        string sentTrace;
        using (var publish = sender.StartActivity("publish", ActivityKind.Producer))
        {
            header = new MessageHeaderFactory("edge-1").Next();
            sentTrace = publish!.TraceId.ToString();
        }

        // Through the wire format and the parser, as a fog receives it.
        var status = new EdgeStatus(header, NodeState.Online, "cam", "src", "haar", 0, 0, 0, 0, 0, 0, 0);
        var parsed = new MessageParser().ParseEdgeStatus(Topics.EdgeStatus("edge-1"), JsonMessages.Serialize(status));
        Assert.True(parsed.IsSuccess, parsed.Error?.ToString());
        using (var consume = receiver.StartConsumer("receive", parsed.Value!.Header))
        {
            Assert.NotNull(consume);
            Assert.Equal(sentTrace, consume.TraceId.ToString());
            Assert.Equal(header.TraceParent, consume.ParentId);
        }

        Assert.Contains(stopped, a => a.OperationName == "receive" && a.TraceId.ToString() == sentTrace);
    }

    [Fact]
    public void HeaderMadeOutsideAnyActivity_HasNoTrace_AndTheReceiverStartsOne()
    {
        var header = new MessageHeaderFactory("edge-1").Next();
        Assert.Null(header.TraceParent);
        Assert.DoesNotContain("traceParent", System.Text.Encoding.UTF8.GetString(JsonMessages.Serialize(new EdgeStatus(header, NodeState.Online, "cam", "src", "haar", 0, 0, 0, 0, 0, 0, 0))), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not-a-trace")]
    [InlineData("00-00000000000000000000000000000000-0000000000000000-01")] // all-zero ids are invalid
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-and-more-text-after-it")]
    public void ForgedTraceParent_IsRefusedByTheParser(string traceParent)
    {
        var header = new MessageHeaderFactory("edge-1").Next() with { TraceParent = traceParent };
        var status = new EdgeStatus(header, NodeState.Online, "cam", "src", "haar", 0, 0, 0, 0, 0, 0, 0);
        var parsed = new MessageParser().ParseEdgeStatus(Topics.EdgeStatus("edge-1"), JsonMessages.Serialize(status));
        Assert.False(parsed.IsSuccess);
        Assert.Contains("traceparent", parsed.Error!.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
