using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FogLens.CloudPortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ContributionLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ContributionLedger",
                columns: table => new
                {
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    RoundId = table.Column<long>(type: "INTEGER", nullable: false),
                    FogId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Weight = table.Column<double>(type: "REAL", nullable: false),
                    Alignment = table.Column<double>(type: "REAL", nullable: false),
                    Agreement = table.Column<double>(type: "REAL", nullable: false),
                    NormFactor = table.Column<double>(type: "REAL", nullable: false),
                    Credit = table.Column<double>(type: "REAL", nullable: false),
                    RecordedAtUnixMs = table.Column<long>(type: "INTEGER", nullable: false),
                    PreviousHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ContributionLedger", x => x.Sequence);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ContributionLedger_RoundId",
                table: "ContributionLedger",
                column: "RoundId");

            // Append-only: the database itself refuses to change or remove a ledger row.
            migrationBuilder.Sql("CREATE TRIGGER \"ContributionLedger_no_update\" BEFORE UPDATE ON \"ContributionLedger\" BEGIN SELECT RAISE(ABORT, 'the contribution ledger is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER \"ContributionLedger_no_delete\" BEFORE DELETE ON \"ContributionLedger\" BEGIN SELECT RAISE(ABORT, 'the contribution ledger is append-only'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ContributionLedger");
        }
    }
}
