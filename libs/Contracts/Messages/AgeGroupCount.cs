namespace FogLens.Contracts.Messages;

/// <summary>Faces counted in one age group of a demographics window.</summary>
/// <param name="Label">Group label, e.g. "20-29" or "70+".</param>
/// <param name="MinAge">Lowest age in the group (inclusive).</param>
/// <param name="MaxAge">Highest age in the group (inclusive); null for the open top group.</param>
/// <param name="Count">Faces whose expected age falls in the group.</param>
public sealed record AgeGroupCount(string Label, int MinAge, int? MaxAge, int Count);
