namespace FogLens.Contracts.Serialization;

/// <summary>Why untrusted bytes or a topic were rejected.</summary>
public enum ContractErrorKind
{
    /// <summary>Not parseable: bad JSON, bad frame, missing required fields.</summary>
    Malformed,

    /// <summary>Larger than the configured limit.</summary>
    Oversized,

    /// <summary>A schema or frame version this build does not understand.</summary>
    UnsupportedVersion,

    /// <summary>Parsed, but a field value is out of range or inconsistent.</summary>
    Invalid,

    /// <summary>Not a FogLens topic, or not the topic kind this message belongs on.</summary>
    WrongTopic,

    /// <summary>The sender id in the header does not own the topic it was published on.</summary>
    SenderMismatch,
}
