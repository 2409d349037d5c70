using System.Diagnostics;
using System.Text;

namespace FogLens.Launch;

/// <summary>
/// A Mosquitto configuration for one site, written by the launcher: a loopback listener, no anonymous
/// access, a password file (hashed by <c>mosquitto_passwd</c>) with the portal and one account per fog,
/// and the ACL of deploy/mosquitto/acl, which lets a fog publish only under its own id and read only round tasks and model
/// announcements. Persistence is on and saved after every change, so queued QoS 1 messages survive a
/// broker restart.
/// </summary>
public static class MosquittoServer
{
    public const string Binary = "/usr/sbin/mosquitto";
    private const string PasswdTool = "/usr/bin/mosquitto_passwd";

    /// <summary>The ACL for the FogLens topics, shared with the deployment files (the portal account is "portal").</summary>
    public static string AclPath => Path.Combine(RepoLayout.Root, "deploy", "mosquitto", "acl");

    /// <summary>The ACL of a site's edge broker when a fog uses Mosquitto for its edges (the fog's account is "fog").</summary>
    public static string EdgeAclPath => Path.Combine(RepoLayout.Root, "deploy", "mosquitto", "edge-acl");

    /// <summary>The template of a site broker's bridge to the cloud broker.</summary>
    public static string SiteBridgePath => Path.Combine(RepoLayout.Root, "deploy", "mosquitto", "site-bridge.conf");

    /// <summary>
    /// Writes mosquitto.conf, the password file and the ACL under <paramref name="folder"/>; returns the start spec.
    /// With <paramref name="tls"/> the listener serves MQTT over TLS only (TLS 1.2 or later, the site's certificate).
    /// <paramref name="aclPath"/> replaces the cloud broker's ACL (e.g. <see cref="EdgeAclPath"/> for an edge broker);
    /// <paramref name="extraConfig"/> is appended (e.g. a bridge, <see cref="SiteBridgePath"/>).
    /// </summary>
    /// <remarks>
    /// Mosquitto writes its whole persistence file after <c>saveEvery</c> changes (queued messages, subscriptions,
    /// retained messages); 1, the shipped setting, loses nothing queued if the broker dies, but each save rewrites every
    /// queued message, so a deep queue costs the broker time that grows with its depth.
    /// </remarks>
    public static ChildSpec Configure(string folder, int port, IReadOnlyDictionary<string, string> users, string logPath, TlsMaterial? tls = null, int saveEvery = 1, string? aclPath = null, string? extraConfig = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        if (!File.Exists(Binary) || !File.Exists(PasswdTool))
        {
            throw new FileNotFoundException("Mosquitto is not installed: run ./foglens setup (Debian package mosquitto)", Binary);
        }

        Directory.CreateDirectory(folder);
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(data);
        var passwords = Path.Combine(folder, "passwords");
        var acl = Path.Combine(folder, "acl");
        File.WriteAllText(passwords, string.Empty);
        foreach (var (user, password) in users)
        {
            Run(PasswdTool, ["-b", passwords, user, password]);
        }

        File.Copy(aclPath ?? AclPath, acl, overwrite: true);
        var config = new StringBuilder()
            .AppendLine("# FogLens site broker, written by the launcher.")
            .AppendLine($"listener {port} 127.0.0.1")
            .AppendLine(tls is null ? "# plain MQTT (no TLS material given)" : $"certfile {tls.ServerCertificate}\nkeyfile {tls.ServerKey}\ntls_version tlsv1.2")
            .AppendLine("allow_anonymous false")
            .AppendLine($"password_file {passwords}")
            .AppendLine($"acl_file {acl}")
            .AppendLine("persistence true")
            .AppendLine($"persistence_location {data}/")
            .AppendLine("autosave_on_changes true")
            .AppendLine(FormattableString.Invariant($"autosave_interval {saveEvery}"))
            .AppendLine("max_queued_messages 100000")
            .AppendLine("max_packet_size 67108864")
            .AppendLine("log_dest stdout")
            .AppendLine("log_type error")
            .AppendLine("log_type warning")
            .AppendLine("log_type notice");
        if (Environment.UserName == "root")
        {
            config.AppendLine("user root"); // keep access to the files written here
        }

        if (extraConfig is not null)
        {
            config.AppendLine(extraConfig);
        }

        var conf = Path.Combine(folder, "mosquitto.conf");
        File.WriteAllText(conf, config.ToString());
        return new ChildSpec("mosquitto", Binary, ["-c", conf], new Dictionary<string, string>(), logPath);
    }

    private static void Run(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed: {error.Trim()}");
        }
    }
}
