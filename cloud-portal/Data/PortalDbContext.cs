using FogLens.Contracts.Messages;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace FogLens.CloudPortal.Data;

/// <summary>
/// The portal's store. One model for both providers; each provider has its own migrations
/// (<see cref="SqlitePortalDbContext"/>, <see cref="PostgresPortalDbContext"/>). On PostgreSQL it also holds the
/// ASP.NET Core data-protection keys, so every portal replica reads the sign-in cookies the others wrote.
/// </summary>
public abstract class PortalDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<DemographicsWindow> Demographics => Set<DemographicsWindow>();

    public DbSet<AgeGroupTally> AgeGroups => Set<AgeGroupTally>();

    /// <summary>Hourly and daily sums of <see cref="Demographics"/>, kept after the per-minute rows are deleted.</summary>
    public DbSet<DemographicsRollup> Rollups => Set<DemographicsRollup>();

    public DbSet<NodeRecord> Nodes => Set<NodeRecord>();

    public DbSet<ModelVersionRecord> Models => Set<ModelVersionRecord>();

    public DbSet<TrainingRound> Rounds => Set<TrainingRound>();

    public DbSet<RoundUpdate> Updates => Set<RoundUpdate>();

    public DbSet<PortalUser> Users => Set<PortalUser>();

    public DbSet<ExperimentRunRecord> ExperimentRuns => Set<ExperimentRunRecord>();

    public DbSet<ApiTokenRecord> ApiTokens => Set<ApiTokenRecord>();

    /// <summary>The append-only contribution ledger (<see cref="ContributionLedger"/>).</summary>
    public DbSet<ContributionEntry> Ledger => Set<ContributionEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<DemographicsWindow>(e =>
        {
            e.HasIndex(w => w.MessageId).IsUnique();
            // The pages' and the API's queries: newest windows overall, of a fog or of a camera; windows still open
            // after an instant (time ranges, the overview's last five minutes); retention deletes by start.
            e.HasIndex(w => w.WindowStart);
            e.HasIndex(w => w.WindowEnd);
            e.HasIndex(w => new { w.FogId, w.WindowStart });
            e.HasIndex(w => new { w.CameraId, w.WindowStart });
            e.Property(w => w.FogId).HasMaxLength(64);
            e.Property(w => w.EdgeId).HasMaxLength(64);
            e.Property(w => w.CameraId).HasMaxLength(64);
            e.Property(w => w.ModelVersion).HasMaxLength(64);
            e.HasMany(w => w.Groups).WithOne().HasForeignKey(g => g.WindowId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<AgeGroupTally>(e => e.Property(g => g.Label).HasMaxLength(16));
        modelBuilder.Entity<DemographicsRollup>(e =>
        {
            // Site rows and a fog's rows by the key's prefix; a camera's rows (of any fog) by an index.
            e.ToTable("DemographicsRollups");
            e.HasKey(r => new { r.Period, r.FogId, r.CameraId, r.BucketStart, r.Label });
            e.HasIndex(r => new { r.Period, r.CameraId, r.BucketStart });
            e.HasIndex(r => new { r.Period, r.BucketStart }); // retention: the oldest hourly rows
            // One label's rows of a time range, covering what the Overview's heatmap (the hourly camera totals of 7 days)
            // and the camera list (the daily camera totals) read: without it they walked every level's and label's rows.
            e.HasIndex(r => new { r.Period, r.Label, r.BucketStart, r.FogId, r.CameraId, r.ShownFaces });
            e.Property(r => r.FogId).HasMaxLength(64);
            e.Property(r => r.CameraId).HasMaxLength(64);
            e.Property(r => r.Label).HasMaxLength(16);
        });
        modelBuilder.Entity<NodeRecord>(e =>
        {
            e.HasKey(n => n.Id);
            e.Property(n => n.Id).HasMaxLength(64);
            e.Property(n => n.Kind).HasMaxLength(8);
            e.Property(n => n.Site).HasMaxLength(64);
            e.Property(n => n.State).HasMaxLength(16);
            e.Property(n => n.SourceState).HasConversion<string>().HasMaxLength(16);
            e.Property(n => n.SourceProblem).HasMaxLength(EdgeStatus.MaxProblemLength);
        });
        modelBuilder.Entity<ModelVersionRecord>(e =>
        {
            e.HasKey(m => m.Version);
            e.Property(m => m.Version).HasMaxLength(64);
            e.Property(m => m.WeightsSha256).HasMaxLength(64);
            e.Property(m => m.OnnxSha256).HasMaxLength(64);
            e.Property(m => m.PinnedBy).HasMaxLength(64);
        });
        modelBuilder.Entity<TrainingRound>(e =>
        {
            e.Property(r => r.Id).ValueGeneratedNever();
            e.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.Mode).HasConversion(m => m == RoundMode.Asynchronous ? "async" : "sync", s => s == "async" ? RoundMode.Asynchronous : RoundMode.Synchronous);
            e.HasIndex(r => r.State);
            e.Ignore(r => r.ParticipantList);
        });
        modelBuilder.Entity<RoundUpdate>(e =>
        {
            e.HasIndex(u => new { u.RoundId, u.FogId }).IsUnique();
            e.HasIndex(u => u.MessageId).IsUnique();
            e.Property(u => u.Status).HasConversion<string>().HasMaxLength(16);
        });
        modelBuilder.Entity<PortalUser>(e =>
        {
            e.HasIndex(u => u.Name).IsUnique();
            e.Property(u => u.Name).HasMaxLength(64);
            e.Property(u => u.Role).HasMaxLength(16);
        });
        modelBuilder.Entity<ExperimentRunRecord>(e => e.HasKey(r => r.Name));
        modelBuilder.Entity<ApiTokenRecord>(e =>
        {
            e.HasIndex(t => t.Name).IsUnique();
            e.HasIndex(t => t.Hash).IsUnique();
            e.Property(t => t.Name).HasMaxLength(64);
            e.Property(t => t.Hash).HasMaxLength(64);
            e.Property(t => t.Scope).HasConversion<string>().HasMaxLength(16);
        });
        modelBuilder.Entity<ContributionEntry>(e =>
        {
            e.ToTable("ContributionLedger");
            e.HasKey(c => c.Sequence);
            e.Property(c => c.Sequence).ValueGeneratedNever();
            e.HasIndex(c => c.RoundId);
            e.Property(c => c.FogId).HasMaxLength(64);
            e.Property(c => c.PreviousHash).HasMaxLength(64);
            e.Property(c => c.Hash).HasMaxLength(64);
        });

        if (Database.IsSqlite())
        {
            // SQLite cannot order or compare DateTimeOffset natively; store UTC ticks.
            foreach (var entity in modelBuilder.Model.GetEntityTypes())
            {
                foreach (var property in entity.ClrType.GetProperties().Where(p => p.PropertyType == typeof(DateTimeOffset) || p.PropertyType == typeof(DateTimeOffset?)))
                {
                    modelBuilder.Entity(entity.Name).Property(property.Name)
                        .HasConversion(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter());
                }
            }
        }
    }
}

/// <summary>SQLite flavour (default), with its own migrations.</summary>
public sealed class SqlitePortalDbContext(DbContextOptions<SqlitePortalDbContext> options) : PortalDbContext(options);

/// <summary>PostgreSQL flavour, with its own migrations.</summary>
public sealed class PostgresPortalDbContext(DbContextOptions<PostgresPortalDbContext> options) : PortalDbContext(options);
