namespace FogLens.CloudPortal.Data;

/// <summary>Length of a demographics roll-up bucket (stored as its number: keep the values).</summary>
public enum RollupPeriod
{
    Hour = 1,
    Day = 2,
}
