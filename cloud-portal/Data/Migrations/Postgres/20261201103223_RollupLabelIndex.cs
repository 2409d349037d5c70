using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FogLens.CloudPortal.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class RollupLabelIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_DemographicsRollups_Period_Label_BucketStart_FogId_CameraId~",
                table: "DemographicsRollups",
                columns: new[] { "Period", "Label", "BucketStart", "FogId", "CameraId", "ShownFaces" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_DemographicsRollups_Period_Label_BucketStart_FogId_CameraId~",
                table: "DemographicsRollups");
        }
    }
}
