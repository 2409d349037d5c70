namespace FogLens.Contracts.Messages;

/// <summary>A message (or binary frame metadata) that carries a <see cref="MessageHeader"/>.</summary>
public interface IFogLensMessage
{
    MessageHeader Header { get; }

    /// <summary>Checks field values; returns a description of the first problem, or null when valid.</summary>
    string? Validate();
}
