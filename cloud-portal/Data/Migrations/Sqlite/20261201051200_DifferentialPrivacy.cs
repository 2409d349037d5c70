using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FogLens.CloudPortal.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DifferentialPrivacy : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "NoiseMultiplier",
                table: "Rounds",
                type: "REAL",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "NoiseMultiplier",
                table: "Rounds");
        }
    }
}
