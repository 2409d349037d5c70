using FogLens.Contracts.Messages;

namespace FogLens.Contracts.Serialization;

/// <summary>
/// Parses a message received on an MQTT topic: checks the topic is the right kind for the
/// message, parses the payload within <see cref="MessageLimits"/>, and checks that the header's
/// sender owns the topic (an edge or fog may only publish under its own id).
/// </summary>
public sealed class MessageParser(MessageLimits limits)
{
    public MessageParser()
        : this(MessageLimits.Default)
    {
    }

    public MessageLimits Limits { get; } = limits;

    public ParseResult<BinaryMessage<FaceCropMetadata>> ParseFaceCrop(string topic, ReadOnlyMemory<byte> payload) =>
        Binary<FaceCropMetadata>(topic, TopicKind.EdgeFaces, BinaryFrameKind.FaceCrop, payload, Limits.MaxFaceCropBytes);

    public ParseResult<BinaryMessage<ModelUpdateMetadata>> ParseModelUpdate(string topic, ReadOnlyMemory<byte> payload)
    {
        var result = Binary<ModelUpdateMetadata>(topic, TopicKind.RoundUpdate, BinaryFrameKind.ModelUpdate, payload, Limits.MaxModelUpdateBytes);
        if (result.IsSuccess && Topics.TryParse(topic, out var info) && info.RoundId != result.Value.Metadata.RoundId)
        {
            return ParseResult<BinaryMessage<ModelUpdateMetadata>>.Failure(
                ContractErrorKind.WrongTopic, $"update for round {result.Value.Metadata.RoundId} published on the topic of round {info.RoundId}");
        }

        return result;
    }

    public ParseResult<EdgeStatus> ParseEdgeStatus(string topic, ReadOnlySpan<byte> payload) =>
        Json<EdgeStatus>(topic, TopicKind.EdgeStatus, payload);

    /// <summary>A demographics window from its live or its late topic.</summary>
    public ParseResult<FogDemographics> ParseFogDemographics(string topic, ReadOnlySpan<byte> payload) =>
        Json<FogDemographics>(topic, TopicKind.FogDemographics, payload, alsoAccepted: TopicKind.FogLateDemographics);

    public ParseResult<FogStatus> ParseFogStatus(string topic, ReadOnlySpan<byte> payload) =>
        Json<FogStatus>(topic, TopicKind.FogStatus, payload);

    public ParseResult<RoundTask> ParseRoundTask(string topic, ReadOnlySpan<byte> payload)
    {
        var result = Json<RoundTask>(topic, TopicKind.RoundTask, payload);
        if (result.IsSuccess && Topics.TryParse(topic, out var info) && info.RoundId != result.Value.RoundId)
        {
            return ParseResult<RoundTask>.Failure(ContractErrorKind.WrongTopic, $"task of round {result.Value.RoundId} published on the topic of round {info.RoundId}");
        }

        return result;
    }

    public ParseResult<ModelAnnouncement> ParseModelAnnouncement(string topic, ReadOnlySpan<byte> payload) =>
        Json<ModelAnnouncement>(topic, TopicKind.ModelAnnouncement, payload);

    private ParseResult<T> Json<T>(string topic, TopicKind kind, ReadOnlySpan<byte> payload, TopicKind? alsoAccepted = null)
        where T : class, IFogLensMessage
    {
        var topicError = CheckTopic(topic, kind, out var info, alsoAccepted);
        if (topicError is not null)
        {
            return ParseResult<T>.Failure(topicError);
        }

        var result = JsonMessages.Parse<T>(payload, Limits.MaxJsonBytes);
        if (!result.IsSuccess)
        {
            return result;
        }

        var senderError = CheckSender(info, result.Value.Header);
        return senderError is null ? result : ParseResult<T>.Failure(senderError);
    }

    private ParseResult<BinaryMessage<T>> Binary<T>(string topic, TopicKind kind, BinaryFrameKind frameKind, ReadOnlyMemory<byte> payload, int maxBytes)
        where T : class, IFogLensMessage
    {
        var topicError = CheckTopic(topic, kind, out var info);
        if (topicError is not null)
        {
            return ParseResult<BinaryMessage<T>>.Failure(topicError);
        }

        var result = BinaryFrame.Decode<T>(payload, frameKind, maxBytes, Limits.MaxFrameHeaderBytes);
        if (!result.IsSuccess)
        {
            return result;
        }

        var senderError = CheckSender(info, result.Value.Metadata.Header);
        return senderError is null ? result : ParseResult<BinaryMessage<T>>.Failure(senderError);
    }

    private static ContractError? CheckTopic(string topic, TopicKind expected, out TopicInfo info, TopicKind? alsoAccepted = null)
    {
        if (!Topics.TryParse(topic, out info))
        {
            return new ContractError(ContractErrorKind.WrongTopic, $"'{(topic.Length > 100 ? topic[..100] + "..." : topic)}' is not a FogLens v1 topic");
        }

        return info.Kind != expected && info.Kind != alsoAccepted
            ? new ContractError(ContractErrorKind.WrongTopic, $"topic '{topic}' is a {info.Kind} topic, expected {expected}")
            : null;
    }

    private static ContractError? CheckSender(TopicInfo info, MessageHeader header) =>
        info.NodeId is not null && !string.Equals(info.NodeId, header.SenderId, StringComparison.Ordinal)
            ? new ContractError(ContractErrorKind.SenderMismatch, $"sender '{header.SenderId}' published on the topic of '{info.NodeId}'")
            : null;
}
