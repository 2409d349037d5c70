using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FogLens.CloudPortal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Rollups : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Demographics_FogId_CameraId",
                table: "Demographics");

            migrationBuilder.CreateTable(
                name: "DemographicsRollups",
                columns: table => new
                {
                    Period = table.Column<int>(type: "integer", nullable: false),
                    BucketStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    FogId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    CameraId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Label = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    MinAge = table.Column<int>(type: "integer", nullable: false),
                    Faces = table.Column<long>(type: "bigint", nullable: false),
                    ShownFaces = table.Column<long>(type: "bigint", nullable: false),
                    Windows = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DemographicsRollups", x => new { x.Period, x.FogId, x.CameraId, x.BucketStart, x.Label });
                });

            migrationBuilder.CreateIndex(
                name: "IX_Demographics_CameraId_WindowStart",
                table: "Demographics",
                columns: new[] { "CameraId", "WindowStart" });

            migrationBuilder.CreateIndex(
                name: "IX_Demographics_FogId_WindowStart",
                table: "Demographics",
                columns: new[] { "FogId", "WindowStart" });

            migrationBuilder.CreateIndex(
                name: "IX_Demographics_WindowEnd",
                table: "Demographics",
                column: "WindowEnd");

            migrationBuilder.CreateIndex(
                name: "IX_DemographicsRollups_Period_BucketStart",
                table: "DemographicsRollups",
                columns: new[] { "Period", "BucketStart" });

            migrationBuilder.CreateIndex(
                name: "IX_DemographicsRollups_Period_CameraId_BucketStart",
                table: "DemographicsRollups",
                columns: new[] { "Period", "CameraId", "BucketStart" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DemographicsRollups");

            migrationBuilder.DropIndex(
                name: "IX_Demographics_CameraId_WindowStart",
                table: "Demographics");

            migrationBuilder.DropIndex(
                name: "IX_Demographics_FogId_WindowStart",
                table: "Demographics");

            migrationBuilder.DropIndex(
                name: "IX_Demographics_WindowEnd",
                table: "Demographics");

            migrationBuilder.CreateIndex(
                name: "IX_Demographics_FogId_CameraId",
                table: "Demographics",
                columns: new[] { "FogId", "CameraId" });
        }
    }
}
