using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FogLens.Contracts.Messages;

namespace FogLens.Contracts.Serialization;

/// <summary>JSON (UTF-8) serialization of FogLens messages with checked parsing of untrusted bytes.</summary>
public static class JsonMessages
{
    /// <summary>Serializes a message to UTF-8 JSON.</summary>
    public static byte[] Serialize<T>(T message)
        where T : class, IFogLensMessage =>
        JsonSerializer.SerializeToUtf8Bytes(message, TypeInfo<T>());

    /// <summary>
    /// Parses and validates untrusted UTF-8 JSON. Returns a typed error for oversized input,
    /// malformed JSON, missing fields, unsupported schema versions and invalid values.
    /// </summary>
    public static ParseResult<T> Parse<T>(ReadOnlySpan<byte> utf8, int maxBytes)
        where T : class, IFogLensMessage
    {
        if (utf8.Length > maxBytes)
        {
            return ParseResult<T>.Failure(ContractErrorKind.Oversized, $"{typeof(T).Name} of {utf8.Length} bytes exceeds the limit of {maxBytes}");
        }

        T? message;
        try
        {
            message = JsonSerializer.Deserialize(utf8, TypeInfo<T>());
        }
        catch (JsonException ex)
        {
            return ParseResult<T>.Failure(ContractErrorKind.Malformed, $"{typeof(T).Name} is not valid JSON for its schema: {ex.Message}");
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or OverflowException or UriFormatException)
        {
            // Converters throw these for values like an unparseable Uri or an out-of-range date.
            return ParseResult<T>.Failure(ContractErrorKind.Malformed, $"{typeof(T).Name} has a malformed value: {ex.Message}");
        }

        return message is null
            ? ParseResult<T>.Failure(ContractErrorKind.Malformed, $"{typeof(T).Name} is null")
            : CheckMessage(message);
    }

    /// <summary>Applies the header and field checks shared by JSON messages and binary frame metadata.</summary>
    internal static ParseResult<T> CheckMessage<T>(T message)
        where T : class, IFogLensMessage
    {
        var header = message.Header;
        if (header is null)
        {
            return ParseResult<T>.Failure(ContractErrorKind.Malformed, $"{typeof(T).Name} has no header");
        }

        if (!SchemaVersions.IsSupported(header.SchemaVersion))
        {
            return ParseResult<T>.Failure(ContractErrorKind.UnsupportedVersion, $"schema version {header.SchemaVersion} is not supported (this build reads {SchemaVersions.Current})");
        }

        if (!NodeId.IsValid(header.SenderId))
        {
            return ParseResult<T>.Failure(ContractErrorKind.Invalid, $"sender id '{Truncate(header.SenderId)}' is not a valid node id");
        }

        if (header.TraceParent is not null && !header.TryGetTraceContext(out _))
        {
            return ParseResult<T>.Failure(ContractErrorKind.Invalid, "traceParent is not a W3C traceparent");
        }

        if (header.MessageId == Guid.Empty || header.Sequence < 0)
        {
            return ParseResult<T>.Failure(ContractErrorKind.Invalid, "message id must be set and sequence must not be negative");
        }

        // Nullability of every property (nested ones included) was enforced by the deserializer.
        var problem = message.Validate();
        return problem is null
            ? ParseResult<T>.Success(message)
            : ParseResult<T>.Failure(ContractErrorKind.Invalid, $"{typeof(T).Name}: {problem}");
    }

    internal static JsonTypeInfo<T> TypeInfo<T>() =>
        (JsonTypeInfo<T>)(FogLensJsonContext.Default.GetTypeInfo(typeof(T))
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not registered in {nameof(FogLensJsonContext)}"));

    private static string Truncate(string? s) => s is null ? "(null)" : s.Length <= 80 ? s : s[..80] + "...";
}
