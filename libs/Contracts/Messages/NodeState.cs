namespace FogLens.Contracts.Messages;

/// <summary>Liveness carried in retained status messages (Offline is also the last will).</summary>
public enum NodeState
{
    Online,
    Offline,
}
