using System.Text;
using FogLens.Contracts;
using FogLens.Contracts.Messages;
using FogLens.Contracts.Serialization;
using FogLens.Tests.Shared;

namespace FogLens.Contracts.Tests;

public sealed class SerializationTests
{
    private readonly MessageParser _parser = new();

    [Fact]
    public void JsonMessages_RoundTripEveryKind_PropertyOverSeeds()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            var edge = SampleMessages.Id(rng);
            var fog = SampleMessages.Id(rng);
            var round = rng.NextInt64(1, 1_000_000);

            AssertRoundTrip(SampleMessages.EdgeStatus(rng, edge), b => _parser.ParseEdgeStatus(Topics.EdgeStatus(edge), b));
            AssertRoundTrip(SampleMessages.FogStatus(rng, fog), b => _parser.ParseFogStatus(Topics.FogStatus(fog), b));
            AssertRoundTrip(SampleMessages.RoundTask(rng, round), b => _parser.ParseRoundTask(Topics.RoundTask(round), b));
            AssertRoundTrip(SampleMessages.Announcement(rng), b => _parser.ParseModelAnnouncement(Topics.ModelAnnouncement, b));
            AssertRoundTrip(SampleMessages.Demographics(rng, fog), b => _parser.ParseFogDemographics(Topics.FogDemographics(fog), b));
        }
    }

    [Fact]
    public void BinaryFrame_RoundTripsMetadataAndPayload_PropertyOverSeeds()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var rng = new Random(seed);
            var edge = SampleMessages.Id(rng);
            var payload = new byte[rng.Next(0, 20_000)];
            rng.NextBytes(payload);
            var metadata = SampleMessages.FaceCrop(rng, edge);

            var frame = BinaryFrame.Encode(BinaryFrameKind.FaceCrop, metadata, payload);
            var parsed = _parser.ParseFaceCrop(Topics.EdgeFaces(edge), frame);

            Assert.True(parsed.IsSuccess, parsed.Error?.ToString());
            Assert.Equal(metadata, parsed.Value.Metadata);
            Assert.Equal(payload, parsed.Value.Payload.ToArray());
        }
    }

    [Fact]
    public void ParseModelUpdate_RoundTrips()
    {
        var rng = new Random(1);
        var metadata = SampleMessages.ModelUpdate(rng, 5, "fog-1");
        var frame = BinaryFrame.Encode(BinaryFrameKind.ModelUpdate, metadata, [1, 2, 3]);
        var parsed = _parser.ParseModelUpdate(Topics.RoundUpdate(5, "fog-1"), frame);
        Assert.True(parsed.IsSuccess, parsed.Error?.ToString());
        Assert.Equal(metadata, parsed.Value.Metadata);
    }

    [Fact]
    public void ParseModelUpdate_RoundMismatch_ReturnsWrongTopic()
    {
        var frame = BinaryFrame.Encode(BinaryFrameKind.ModelUpdate, SampleMessages.ModelUpdate(new Random(1), 5, "fog-1"), [1]);
        var parsed = _parser.ParseModelUpdate(Topics.RoundUpdate(6, "fog-1"), frame);
        Assert.Equal(ContractErrorKind.WrongTopic, parsed.Error?.Kind);
    }

    [Fact]
    public void Parse_SenderPublishingUnderAnotherId_ReturnsSenderMismatch()
    {
        var status = SampleMessages.EdgeStatus(new Random(2), "edge-a");
        var parsed = _parser.ParseEdgeStatus(Topics.EdgeStatus("edge-b"), JsonMessages.Serialize(status));
        Assert.Equal(ContractErrorKind.SenderMismatch, parsed.Error?.Kind);

        var crop = BinaryFrame.Encode(BinaryFrameKind.FaceCrop, SampleMessages.FaceCrop(new Random(2), "edge-a"), [1, 2]);
        Assert.Equal(ContractErrorKind.SenderMismatch, _parser.ParseFaceCrop(Topics.EdgeFaces("edge-b"), crop).Error?.Kind);
    }

    [Fact]
    public void Parse_WrongTopicKind_ReturnsWrongTopic()
    {
        var status = SampleMessages.EdgeStatus(new Random(3), "edge-a");
        var parsed = _parser.ParseEdgeStatus(Topics.EdgeFaces("edge-a"), JsonMessages.Serialize(status));
        Assert.Equal(ContractErrorKind.WrongTopic, parsed.Error?.Kind);
        Assert.Equal(ContractErrorKind.WrongTopic, _parser.ParseEdgeStatus("not/a/topic", JsonMessages.Serialize(status)).Error?.Kind);
    }

    [Fact]
    public void Parse_Oversized_ReturnsOversizedBeforeParsing()
    {
        var parser = new MessageParser(new MessageLimits { MaxJsonBytes = 100, MaxFaceCropBytes = 1000 });
        var status = JsonMessages.Serialize(SampleMessages.EdgeStatus(new Random(4), "edge-a"));
        Assert.Equal(ContractErrorKind.Oversized, parser.ParseEdgeStatus(Topics.EdgeStatus("edge-a"), status).Error?.Kind);

        var crop = BinaryFrame.Encode(BinaryFrameKind.FaceCrop, SampleMessages.FaceCrop(new Random(4), "edge-a"), new byte[5000]);
        Assert.Equal(ContractErrorKind.Oversized, parser.ParseFaceCrop(Topics.EdgeFaces("edge-a"), crop).Error?.Kind);
    }

    [Fact]
    public void EdgeStatus_SourceState_RoundTripsAsAString_AndAnOlderEdgesStatusParsesWithout()
    {
        var status = SampleMessages.EdgeStatus(new Random(11), "edge-a") with { SourceState = SourceState.Unreadable, SourceProblem = "cannot open file:/v.mp4: not a readable video file" };
        var json = Encoding.UTF8.GetString(JsonMessages.Serialize(status));
        Assert.Contains("\"sourceState\":\"Unreadable\"", json, StringComparison.Ordinal);
        var parsed = _parser.ParseEdgeStatus(Topics.EdgeStatus("edge-a"), Encoding.UTF8.GetBytes(json));
        Assert.True(parsed.IsSuccess, parsed.Error?.ToString());
        Assert.Equal((SourceState.Unreadable, status.SourceProblem), (parsed.Value.SourceState, parsed.Value.SourceProblem));

        // An edge built before the field existed: the same status without it.
        var older = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        older.Remove("sourceState");
        older.Remove("sourceProblem");
        var old = _parser.ParseEdgeStatus(Topics.EdgeStatus("edge-a"), Encoding.UTF8.GetBytes(older.ToJsonString()));
        Assert.True(old.IsSuccess, old.Error?.ToString());
        Assert.Null(old.Value.SourceState);

        // A relayed summary keeps the state.
        Assert.Equal(SourceState.Unreadable, EdgeSummary.From(parsed.Value, DateTimeOffset.UnixEpoch).SourceState);
    }

    [Fact]
    public void FogStatus_Site_RoundTrips_AndAnOlderFogsStatusParsesWithout()
    {
        var status = SampleMessages.FogStatus(new Random(13), "fog-a") with { Site = "north-gate" };
        var json = Encoding.UTF8.GetString(JsonMessages.Serialize(status));
        Assert.Contains("\"site\":\"north-gate\"", json, StringComparison.Ordinal);
        var parsed = _parser.ParseFogStatus(Topics.FogStatus("fog-a"), Encoding.UTF8.GetBytes(json));
        Assert.True(parsed.IsSuccess, parsed.Error?.ToString());
        Assert.Equal("north-gate", parsed.Value.Site);

        // A fog built before the field existed: the same status without it.
        var older = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        Assert.True(older.Remove("site"));
        var old = _parser.ParseFogStatus(Topics.FogStatus("fog-a"), Encoding.UTF8.GetBytes(older.ToJsonString()));
        Assert.True(old.IsSuccess, old.Error?.ToString());
        Assert.Null(old.Value.Site);
    }

    [Theory]
    [InlineData("")]
    [InlineData("North Gate")]
    [InlineData("site/1")]
    [InlineData("site+")]
    [InlineData("ä")]
    public void FogStatus_BadSite_IsInvalid(string site)
    {
        var status = SampleMessages.FogStatus(new Random(14), "fog-a") with { Site = site };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseFogStatus(Topics.FogStatus("fog-a"), JsonMessages.Serialize(status)).Error?.Kind);
        var tooLong = status with { Site = new string('s', NodeId.MaxLength + 1) };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseFogStatus(Topics.FogStatus("fog-a"), JsonMessages.Serialize(tooLong)).Error?.Kind);
        Assert.True(_parser.ParseFogStatus(Topics.FogStatus("fog-a"), JsonMessages.Serialize(status with { Site = new string('s', NodeId.MaxLength) })).IsSuccess);
    }

    [Theory]
    [InlineData("two\nlines")]
    [InlineData(null)]
    public void EdgeStatus_BadSourceProblemOrUnknownState_IsInvalid(string? problem)
    {
        var status = SampleMessages.EdgeStatus(new Random(12), "edge-a") with { SourceState = problem is null ? (SourceState)42 : SourceState.Missing, SourceProblem = problem };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseEdgeStatus(Topics.EdgeStatus("edge-a"), JsonMessages.Serialize(status)).Error?.Kind);
        var tooLong = status with { SourceState = SourceState.Missing, SourceProblem = new string('x', EdgeStatus.MaxProblemLength + 1) };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseEdgeStatus(Topics.EdgeStatus("edge-a"), JsonMessages.Serialize(tooLong)).Error?.Kind);
    }

    [Fact]
    public void Parse_UnsupportedSchemaVersion_ReturnsUnsupportedVersion()
    {
        var status = SampleMessages.EdgeStatus(new Random(5), "edge-a");
        var future = status with { Header = status.Header with { SchemaVersion = 99 } };
        var parsed = _parser.ParseEdgeStatus(Topics.EdgeStatus("edge-a"), JsonMessages.Serialize(future));
        Assert.Equal(ContractErrorKind.UnsupportedVersion, parsed.Error?.Kind);
    }

    [Fact]
    public void BinaryFrame_UnsupportedFrameVersionOrKind_IsRejected()
    {
        var frame = BinaryFrame.Encode(BinaryFrameKind.FaceCrop, SampleMessages.FaceCrop(new Random(6), "edge-a"), [9]);
        var badVersion = (byte[])frame.Clone();
        badVersion[4] = 2;
        Assert.Equal(ContractErrorKind.UnsupportedVersion, _parser.ParseFaceCrop(Topics.EdgeFaces("edge-a"), badVersion).Error?.Kind);

        var badKind = (byte[])frame.Clone();
        badKind[5] = (byte)BinaryFrameKind.ModelUpdate;
        Assert.Equal(ContractErrorKind.Malformed, _parser.ParseFaceCrop(Topics.EdgeFaces("edge-a"), badKind).Error?.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"header\":null}")]
    [InlineData("{\"header\":{\"schemaVersion\":1}}")]
    [InlineData("{\"header\":{\"schemaVersion\":1,\"senderId\":\"e\",\"sequence\":1,\"messageId\":\"00000000-0000-0000-0000-000000000000\",\"sentAt\":\"2026-01-01T00:00:00Z\"}}")]
    [InlineData("{\"a\":")]
    [InlineData("\u0000\u0001\u0002")]
    public void ParseEdgeStatus_Garbage_ReturnsTypedError(string text)
    {
        var parsed = _parser.ParseEdgeStatus(Topics.EdgeStatus("e"), Encoding.UTF8.GetBytes(text));
        Assert.False(parsed.IsSuccess);
        Assert.Contains(parsed.Error.Kind, new[] { ContractErrorKind.Malformed, ContractErrorKind.Invalid });
    }

    [Fact]
    public void Parse_InvalidFieldValues_ReturnsInvalid()
    {
        var rng = new Random(7);
        var demographics = SampleMessages.Demographics(rng, "fog-a");
        var wrongTotal = demographics with { Faces = demographics.Faces + 1 };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseFogDemographics(Topics.FogDemographics("fog-a"), JsonMessages.Serialize(wrongTotal)).Error?.Kind);

        var backwards = demographics with { WindowEnd = demographics.WindowStart };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseFogDemographics(Topics.FogDemographics("fog-a"), JsonMessages.Serialize(backwards)).Error?.Kind);

        var task = SampleMessages.RoundTask(rng, 3) with { Sparsity = 0 };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseRoundTask(Topics.RoundTask(3), JsonMessages.Serialize(task)).Error?.Kind);
        var badTrainable = SampleMessages.RoundTask(rng, 3) with { Trainable = "everything" };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseRoundTask(Topics.RoundTask(3), JsonMessages.Serialize(badTrainable)).Error?.Kind);
        var badDense = SampleMessages.RoundTask(rng, 3) with { DenseMaxElements = -1 };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseRoundTask(Topics.RoundTask(3), JsonMessages.Serialize(badDense)).Error?.Kind);

        // A task from a portal before these fields: all layers, nothing sent densely.
        var head = SampleMessages.RoundTask(rng, 3) with { Trainable = "head", DenseMaxElements = 1024 };
        var json = System.Text.Json.Nodes.JsonNode.Parse(JsonMessages.Serialize(head))!.AsObject();
        Assert.True(json.Remove("trainable") && json.Remove("denseMaxElements"));
        var old = _parser.ParseRoundTask(Topics.RoundTask(3), System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
        Assert.True(old.IsSuccess);
        Assert.Equal((null, 0), (old.Value!.Trainable, old.Value.DenseMaxElements));

        var status = SampleMessages.FogStatus(rng, "fog-a");
        var badEdge = status with { Edges = [SampleMessages.EdgeSummary(rng) with { CameraFps = -1 }] };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseFogStatus(Topics.FogStatus("fog-a"), JsonMessages.Serialize(badEdge)).Error?.Kind);
        var badId = status with { Edges = [SampleMessages.EdgeSummary(rng) with { EdgeId = "Not An Id" }] };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseFogStatus(Topics.FogStatus("fog-a"), JsonMessages.Serialize(badId)).Error?.Kind);
        var tooMany = status with { Edges = [.. Enumerable.Range(0, FogStatus.MaxEdges + 1).Select(_ => SampleMessages.EdgeSummary(rng))] };
        Assert.Equal(ContractErrorKind.Invalid, _parser.ParseFogStatus(Topics.FogStatus("fog-a"), JsonMessages.Serialize(tooMany)).Error?.Kind);
    }

    [Fact]
    public void Parse_MutatedAndTruncatedInputs_NeverThrow()
    {
        var rng = new Random(42);
        var json = JsonMessages.Serialize(SampleMessages.Demographics(rng, "fog-a"));
        var frame = BinaryFrame.Encode(BinaryFrameKind.FaceCrop, SampleMessages.FaceCrop(rng, "edge-a"), new byte[64]);
        var accepted = 0;
        for (var i = 0; i < 5000; i++)
        {
            var source = i % 2 == 0 ? json : frame;
            var mutated = ByteMutations.Mutate(rng, source);
            var ok = i % 2 == 0
                ? _parser.ParseFogDemographics(Topics.FogDemographics("fog-a"), mutated).IsSuccess
                : _parser.ParseFaceCrop(Topics.EdgeFaces("edge-a"), mutated).IsSuccess;
            accepted += ok ? 1 : 0;
        }

        // Some mutations only touch payload bytes or values that stay valid; most must be rejected.
        Assert.InRange(accepted, 0, 4000);
    }

    private static void AssertRoundTrip<T>(T message, Func<byte[], ParseResult<T>> parse)
        where T : class, IFogLensMessage
    {
        var parsed = parse(JsonMessages.Serialize(message));
        Assert.True(parsed.IsSuccess, parsed.Error?.ToString());
        Assert.Equal(message.Header, parsed.Value.Header);

        // Records holding lists compare them by reference, so compare the canonical serialized form.
        Assert.Equal(JsonMessages.Serialize(message), JsonMessages.Serialize(parsed.Value));
    }
}
