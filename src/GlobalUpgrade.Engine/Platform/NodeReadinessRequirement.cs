namespace GlobalUpgrade.Platform;

/// <summary>
/// What every node that will run a line's Kubernetes must offer before its administrator gate is acknowledged
/// [doc master PRE "ACP 4.4 Kubernetes 1.35 Node Readiness"]: a kernel of at least <see cref="MinimumKernel"/>
/// (<c>uname -r</c>) and cgroup v2 (<c>stat -fc %T /sys/fs/cgroup/</c> prints <see cref="CgroupFileSystem"/>).
/// </summary>
public sealed record NodeReadinessRequirement(int KubernetesMinor, Version MinimumKernel, string CgroupFileSystem, string Citation)
{
    /// <summary>The documented command that prints the kernel version.</summary>
    public const string KernelCommand = "uname -r";

    /// <summary>The documented command that prints the cgroup file system type.</summary>
    public const string CgroupCommand = "stat -fc %T /sys/fs/cgroup/";

    /// <summary>[doc master PRE "ACP 4.4 Kubernetes 1.35 Node Readiness"]: "The kernel must be `5.8` or later"; "The expected output is: cgroup2fs".</summary>
    public static NodeReadinessRequirement Kubernetes135 { get; } =
        new(35, new Version(5, 8), "cgroup2fs", "master docs/en/upgrade/pre-upgrade.mdx \"ACP 4.4 Kubernetes 1.35 Node Readiness\"");
}
