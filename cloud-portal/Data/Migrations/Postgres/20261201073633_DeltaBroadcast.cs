using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FogLens.CloudPortal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DeltaBroadcast : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "FullDownloadBytes",
                table: "Rounds",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "BroadcastFingerprint",
                table: "Models",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "BroadcastSha256",
                table: "Models",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "DeltaBytes",
                table: "Models",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DeltaSha256",
                table: "Models",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FullDownloadBytes",
                table: "Rounds");

            migrationBuilder.DropColumn(
                name: "BroadcastFingerprint",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "BroadcastSha256",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "DeltaBytes",
                table: "Models");

            migrationBuilder.DropColumn(
                name: "DeltaSha256",
                table: "Models");
        }
    }
}
