using System.Globalization;
using System.Text;

namespace GlobalUpgrade.Simulator.Hosting;

/// <summary>Writes a kubeconfig with one context per simulated cluster plus a <c>-readonly</c> context whose token is forbidden.</summary>
internal static class KubeconfigWriter
{
    public static void Write(string path, string caPem, IReadOnlyList<SimCluster> clusters, string currentContext)
    {
        var ca = Convert.ToBase64String(Encoding.UTF8.GetBytes(caPem));
        var sb = new StringBuilder();
        sb.AppendLine("apiVersion: v1");
        sb.AppendLine("kind: Config");
        sb.AppendLine("preferences: {}");
        sb.AppendLine("clusters:");
        foreach (var c in clusters)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- name: {c.Name}");
            sb.AppendLine("  cluster:");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    server: {c.Server.ToString().TrimEnd('/')}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    certificate-authority-data: {ca}");
        }

        sb.AppendLine("users:");
        foreach (var c in clusters)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- name: {c.Name}");
            sb.AppendLine("  user:");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    token: {c.Token}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"- name: {c.Name}-readonly");
            sb.AppendLine("  user:");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    token: {c.ForbiddenToken}");
        }

        sb.AppendLine("contexts:");
        foreach (var c in clusters)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"- name: {c.Name}");
            sb.AppendLine("  context:");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    cluster: {c.Name}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    user: {c.Name}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"- name: {c.Name}-readonly");
            sb.AppendLine("  context:");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    cluster: {c.Name}");
            sb.AppendLine(CultureInfo.InvariantCulture, $"    user: {c.Name}-readonly");
        }

        sb.AppendLine(CultureInfo.InvariantCulture, $"current-context: {currentContext}");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        // Write then rename so a reader polling for the file never sees half of it.
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, sb.ToString());
        File.Move(tmp, path, overwrite: true);
    }
}
