using System.Diagnostics.CodeAnalysis;

namespace FogLens.Contracts.Serialization;

/// <summary>Outcome of parsing untrusted input: a value or a <see cref="ContractError"/>, never an exception.</summary>
public readonly struct ParseResult<T>
    where T : class
{
    private ParseResult(T? value, ContractError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ContractError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    public static ParseResult<T> Success(T value) => new(value, null);

    public static ParseResult<T> Failure(ContractErrorKind kind, string message) => new(null, new ContractError(kind, message));

    public static ParseResult<T> Failure(ContractError error) => new(null, error);
}
