using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace FogLens.CloudPortal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Demographics",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    FogId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    EdgeId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CameraId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    WindowStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    WindowEnd = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Faces = table.Column<int>(type: "integer", nullable: false),
                    MeanAge = table.Column<double>(type: "double precision", nullable: true),
                    ModelVersion = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Demographics", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ExperimentRuns",
                columns: table => new
                {
                    Name = table.Column<string>(type: "text", nullable: false),
                    OptionsJson = table.Column<string>(type: "text", nullable: false),
                    RoundsJson = table.Column<string>(type: "text", nullable: false),
                    ImportedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ExperimentRuns", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "Models",
                columns: table => new
                {
                    Version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ParentVersion = table.Column<string>(type: "text", nullable: true),
                    RoundId = table.Column<long>(type: "bigint", nullable: true),
                    Source = table.Column<string>(type: "text", nullable: false),
                    Codec = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ValidationMae = table.Column<double>(type: "double precision", nullable: true),
                    GroupMaeJson = table.Column<string>(type: "text", nullable: true),
                    WeightsSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    OnnxSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    WeightsBytes = table.Column<long>(type: "bigint", nullable: false),
                    IsCurrent = table.Column<bool>(type: "boolean", nullable: false),
                    PromotedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Models", x => x.Version);
                });

            migrationBuilder.CreateTable(
                name: "Nodes",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    FogId = table.Column<string>(type: "text", nullable: true),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    LastSeen = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ModelVersion = table.Column<string>(type: "text", nullable: true),
                    EdgesOnline = table.Column<int>(type: "integer", nullable: false),
                    CropsReceived = table.Column<long>(type: "bigint", nullable: false),
                    CropsInferred = table.Column<long>(type: "bigint", nullable: false),
                    CropsRejected = table.Column<long>(type: "bigint", nullable: false),
                    QueueDepth = table.Column<int>(type: "integer", nullable: false),
                    OutboxDepth = table.Column<int>(type: "integer", nullable: false),
                    Training = table.Column<bool>(type: "boolean", nullable: false),
                    LocalSamples = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Nodes", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Rounds",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Mode = table.Column<string>(type: "text", nullable: false),
                    BaseVersion = table.Column<string>(type: "text", nullable: false),
                    ResultVersion = table.Column<string>(type: "text", nullable: true),
                    Codec = table.Column<string>(type: "text", nullable: false),
                    Sparsity = table.Column<double>(type: "double precision", nullable: false),
                    LocalEpochs = table.Column<int>(type: "integer", nullable: false),
                    MinQuorum = table.Column<int>(type: "integer", nullable: false),
                    Participants = table.Column<string>(type: "text", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Deadline = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CompletedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    StartedBy = table.Column<string>(type: "text", nullable: true),
                    Accepted = table.Column<int>(type: "integer", nullable: false),
                    Rejected = table.Column<int>(type: "integer", nullable: false),
                    Late = table.Column<int>(type: "integer", nullable: false),
                    Stale = table.Column<int>(type: "integer", nullable: false),
                    UploadBytes = table.Column<long>(type: "bigint", nullable: false),
                    DenseUploadBytes = table.Column<long>(type: "bigint", nullable: false),
                    DownloadBytes = table.Column<long>(type: "bigint", nullable: false),
                    Mae = table.Column<double>(type: "double precision", nullable: true),
                    Outcome = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Rounds", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Updates",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    RoundId = table.Column<long>(type: "bigint", nullable: false),
                    FogId = table.Column<string>(type: "text", nullable: false),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    ReceivedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: true),
                    PayloadBytes = table.Column<int>(type: "integer", nullable: false),
                    SampleCount = table.Column<int>(type: "integer", nullable: false),
                    TrainLoss = table.Column<double>(type: "double precision", nullable: false),
                    LocalMae = table.Column<double>(type: "double precision", nullable: true),
                    Norm = table.Column<double>(type: "double precision", nullable: true),
                    AppliedInRound = table.Column<long>(type: "bigint", nullable: true),
                    PayloadPath = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Updates", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Users",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    PasswordHash = table.Column<string>(type: "text", nullable: false),
                    Role = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Users", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AgeGroups",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    WindowId = table.Column<long>(type: "bigint", nullable: false),
                    Label = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    MinAge = table.Column<int>(type: "integer", nullable: false),
                    Count = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgeGroups", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgeGroups_Demographics_WindowId",
                        column: x => x.WindowId,
                        principalTable: "Demographics",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AgeGroups_WindowId",
                table: "AgeGroups",
                column: "WindowId");

            migrationBuilder.CreateIndex(
                name: "IX_Demographics_FogId_CameraId",
                table: "Demographics",
                columns: new[] { "FogId", "CameraId" });

            migrationBuilder.CreateIndex(
                name: "IX_Demographics_MessageId",
                table: "Demographics",
                column: "MessageId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Demographics_WindowStart",
                table: "Demographics",
                column: "WindowStart");

            migrationBuilder.CreateIndex(
                name: "IX_Rounds_State",
                table: "Rounds",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_Updates_MessageId",
                table: "Updates",
                column: "MessageId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Updates_RoundId_FogId",
                table: "Updates",
                columns: new[] { "RoundId", "FogId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Users_Name",
                table: "Users",
                column: "Name",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgeGroups");

            migrationBuilder.DropTable(
                name: "ExperimentRuns");

            migrationBuilder.DropTable(
                name: "Models");

            migrationBuilder.DropTable(
                name: "Nodes");

            migrationBuilder.DropTable(
                name: "Rounds");

            migrationBuilder.DropTable(
                name: "Updates");

            migrationBuilder.DropTable(
                name: "Users");

            migrationBuilder.DropTable(
                name: "Demographics");
        }
    }
}
