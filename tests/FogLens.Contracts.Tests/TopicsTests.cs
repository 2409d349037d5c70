using FogLens.Contracts;

namespace FogLens.Contracts.Tests;

public sealed class TopicsTests
{
    [Fact]
    public void Builders_ProduceVersionedTopics()
    {
        Assert.Equal("foglens/v1/edge/cam-1/faces", Topics.EdgeFaces("cam-1"));
        Assert.Equal("foglens/v1/edge/cam-1/status", Topics.EdgeStatus("cam-1"));
        Assert.Equal("foglens/v1/fog/fog_a/demographics", Topics.FogDemographics("fog_a"));
        Assert.Equal("foglens/v1/fog/fog_a/demographics/late", Topics.FogLateDemographics("fog_a"));
        Assert.Equal("foglens/v1/fog/fog_a/status", Topics.FogStatus("fog_a"));
        Assert.Equal("foglens/v1/fl/round/12/task", Topics.RoundTask(12));
        Assert.Equal("foglens/v1/fl/round/12/update/fog_a", Topics.RoundUpdate(12, "fog_a"));
        Assert.Equal("foglens/v1/models/age/current", Topics.ModelAnnouncement);
    }

    [Fact]
    public void TryParse_RoundTripsEveryBuilder()
    {
        var cases = new (string Topic, TopicInfo Expected)[]
        {
            (Topics.EdgeFaces("e1"), new TopicInfo(TopicKind.EdgeFaces, "e1", null)),
            (Topics.EdgeStatus("e1"), new TopicInfo(TopicKind.EdgeStatus, "e1", null)),
            (Topics.FogDemographics("f1"), new TopicInfo(TopicKind.FogDemographics, "f1", null)),
            (Topics.FogLateDemographics("f1"), new TopicInfo(TopicKind.FogLateDemographics, "f1", null)),
            (Topics.FogStatus("f1"), new TopicInfo(TopicKind.FogStatus, "f1", null)),
            (Topics.RoundTask(7), new TopicInfo(TopicKind.RoundTask, null, 7)),
            (Topics.RoundUpdate(7, "f1"), new TopicInfo(TopicKind.RoundUpdate, "f1", 7)),
            (Topics.ModelAnnouncement, new TopicInfo(TopicKind.ModelAnnouncement, null, null)),
        };
        foreach (var (topic, expected) in cases)
        {
            Assert.True(Topics.TryParse(topic, out var info), topic);
            Assert.Equal(expected, info);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("foglens/v2/edge/e1/faces")]
    [InlineData("foglens/v1/edge/E1/faces")]
    [InlineData("foglens/v1/edge/e+1/faces")]
    [InlineData("foglens/v1/edge//faces")]
    [InlineData("foglens/v1/edge/e1/faces/extra")]
    [InlineData("foglens/v1/fl/round/0/task")]
    [InlineData("foglens/v1/fl/round/-3/task")]
    [InlineData("foglens/v1/fl/round/007/task")]
    [InlineData("foglens/v1/fl/round/99999999999999999999/task")]
    [InlineData("foglens/v1/fl/round/1/update/")]
    [InlineData("foglens/v1/models/age")]
    [InlineData("foglens/v1/fog/f1/demographics/early")]
    [InlineData("foglens/v1/fog/f1/demographics/late/x")]
    public void TryParse_RejectsForeignOrMalformedTopics(string topic) =>
        Assert.False(Topics.TryParse(topic, out _));

    [Theory]
    [InlineData("UPPER")]
    [InlineData("has/slash")]
    [InlineData("wild#")]
    [InlineData("")]
    public void Builders_RejectInvalidIds(string id) =>
        Assert.Throws<ArgumentException>(() => Topics.EdgeFaces(id));

    [Fact]
    public void NodeId_RejectsTooLong()
    {
        Assert.True(NodeId.IsValid(new string('a', NodeId.MaxLength)));
        Assert.False(NodeId.IsValid(new string('a', NodeId.MaxLength + 1)));
    }
}
