using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FogLens.CloudPortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PromotionRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "ReferenceMae",
                table: "Rounds",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ReferenceVersion",
                table: "Rounds",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "EvaluationMae",
                table: "Models",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PinnedBy",
                table: "Models",
                type: "TEXT",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ReferenceMae",
                table: "Rounds");

            migrationBuilder.DropColumn(
                name: "ReferenceVersion",
                table: "Rounds");

            migrationBuilder.DropColumn(
                name: "EvaluationMae",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "PinnedBy",
                table: "Models");
        }
    }
}
