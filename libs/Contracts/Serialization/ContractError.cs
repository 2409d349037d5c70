namespace FogLens.Contracts.Serialization;

/// <summary>A typed reason for rejecting a message, with a message fit for a log line.</summary>
public sealed record ContractError(ContractErrorKind Kind, string Message)
{
    public override string ToString() => $"{Kind}: {Message}";
}
