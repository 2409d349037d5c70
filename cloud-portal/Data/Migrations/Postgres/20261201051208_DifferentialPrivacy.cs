using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FogLens.CloudPortal.Data.Migrations.Postgres
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
                type: "double precision",
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
