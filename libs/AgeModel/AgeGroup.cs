namespace FogLens.AgeModel;

/// <summary>An age group: ages <see cref="MinAge"/>..<see cref="MaxAge"/> inclusive; no upper bound when MaxAge is null.</summary>
public sealed record AgeGroup(string Label, int MinAge, int? MaxAge)
{
    public bool Contains(double age) => age >= MinAge && (MaxAge is not { } max || age < max + 1);
}
