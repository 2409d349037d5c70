using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FogLens.CloudPortal.Data.Migrations.Postgres
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
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    RoundId = table.Column<long>(type: "bigint", nullable: false),
                    FogId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Weight = table.Column<double>(type: "double precision", nullable: false),
                    Alignment = table.Column<double>(type: "double precision", nullable: false),
                    Agreement = table.Column<double>(type: "double precision", nullable: false),
                    NormFactor = table.Column<double>(type: "double precision", nullable: false),
                    Credit = table.Column<double>(type: "double precision", nullable: false),
                    RecordedAtUnixMs = table.Column<long>(type: "bigint", nullable: false),
                    PreviousHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
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
            migrationBuilder.Sql("CREATE FUNCTION foglens_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the contribution ledger is append-only'; END $$;");
            migrationBuilder.Sql("CREATE TRIGGER \"ContributionLedger_append_only\" BEFORE UPDATE OR DELETE ON \"ContributionLedger\" FOR EACH ROW EXECUTE FUNCTION foglens_ledger_append_only();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ContributionLedger");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS foglens_ledger_append_only() CASCADE;");
        }
    }
}
