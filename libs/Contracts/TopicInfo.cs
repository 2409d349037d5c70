namespace FogLens.Contracts;

/// <summary>A parsed FogLens topic.</summary>
/// <param name="Kind">Which topic it is.</param>
/// <param name="NodeId">The edge or fog id the topic belongs to, when it has one.</param>
/// <param name="RoundId">The federated round id, for round topics.</param>
public readonly record struct TopicInfo(TopicKind Kind, string? NodeId, long? RoundId);
