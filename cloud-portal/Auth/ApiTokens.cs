using System.Security.Cryptography;
using System.Text;
using FogLens.CloudPortal.Data;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Auth;

/// <summary>
/// Read-only API tokens for machine clients (scripts, dashboards): <c>Authorization: Bearer flt_...</c>. A token is
/// shown once when created; the database keeps its SHA-256 only (a token is 256 random bits, so a plain hash is
/// enough: there is nothing to guess).
/// </summary>
public sealed partial class ApiTokens(PortalDb db, TimeProvider time, ILogger<ApiTokens> logger)
{
    /// <summary>Prefix of every token, so a leaked one is recognisable and the handler ignores other bearers.</summary>
    public const string Prefix = "flt_";

    /// <summary>Creates (or replaces) the token called <paramref name="name"/> and returns its only clear copy.</summary>
    public async Task<string> CreateAsync(string name, CancellationToken cancellationToken)
    {
        if (!FogLens.Contracts.NodeId.IsValid(name))
        {
            throw new ArgumentException("token name must be 1-64 characters of a-z, A-Z, 0-9, '-', '_' or '.'", nameof(name));
        }

        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        await using var context = db.Create();
        var record = await context.ApiTokens.FirstOrDefaultAsync(t => t.Name == name, cancellationToken);
        if (record is null)
        {
            record = new ApiTokenRecord { Name = name, Hash = string.Empty };
            context.ApiTokens.Add(record);
        }

        record.Hash = Hash(token);
        record.Scope = ApiTokenScope.Read;
        record.CreatedAt = time.GetUtcNow();
        await context.SaveChangesAsync(cancellationToken);
        LogCreated(name);
        return token;
    }

    /// <summary>The token's record, or null when the bearer is not a current token.</summary>
    public async Task<ApiTokenRecord?> FindAsync(string token, CancellationToken cancellationToken)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length > 128)
        {
            return null;
        }

        var hash = Hash(token);
        await using var context = db.Create();
        return await context.ApiTokens.AsNoTracking().FirstOrDefaultAsync(t => t.Hash == hash, cancellationToken);
    }

    public async Task<IReadOnlyList<ApiTokenRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        return await context.ApiTokens.AsNoTracking().OrderBy(t => t.Name).ToListAsync(cancellationToken);
    }

    /// <summary>Deletes the token; false when there is none of that name.</summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await using var context = db.Create();
        var removed = await context.ApiTokens.Where(t => t.Name == name).ExecuteDeleteAsync(cancellationToken) > 0;
        if (removed)
        {
            LogRemoved(name);
        }

        return removed;
    }

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    [LoggerMessage(EventId = 4520, Level = LogLevel.Information, Message = "API token {Name} created (read-only)")]
    private partial void LogCreated(string name);

    [LoggerMessage(EventId = 4521, Level = LogLevel.Information, Message = "API token {Name} removed")]
    private partial void LogRemoved(string name);
}
