namespace GlobalUpgrade.Errors;

/// <summary>The stable error ids users and scripts match on. Never rename one: scripts depend on them.</summary>
public static class ErrorIds
{
    public const string KubeconfigNotFound = nameof(KubeconfigNotFound);
    public const string KubeconfigInvalid = nameof(KubeconfigInvalid);
    public const string ContextNotFound = nameof(ContextNotFound);
    public const string ServerUnreachable = nameof(ServerUnreachable);
    public const string ServerTimeout = nameof(ServerTimeout);
    public const string CertificateNotTrusted = nameof(CertificateNotTrusted);
    public const string Unauthorized = nameof(Unauthorized);
    public const string Forbidden = nameof(Forbidden);
    public const string NotAGlobalCluster = nameof(NotAGlobalCluster);
    public const string ClusterNotConnected = nameof(ClusterNotConnected);
    public const string NoClusterConnected = nameof(NoClusterConnected);
    public const string PlatformVersionUnknown = nameof(PlatformVersionUnknown);
    public const string InvalidPlatformVersion = nameof(InvalidPlatformVersion);
    public const string ApiRequestFailed = nameof(ApiRequestFailed);
    public const string ServerAnswerUnreadable = nameof(ServerAnswerUnreadable);
    public const string ListPagingExceeded = nameof(ListPagingExceeded);
    public const string UnexpectedError = nameof(UnexpectedError);

    // etcd synchronizer monitor
    public const string SyncReportUnreadable = nameof(SyncReportUnreadable);
    public const string SyncMonitorUnavailable = nameof(SyncMonitorUnavailable);
    public const string SyncMonitorTimeout = nameof(SyncMonitorTimeout);
    public const string SyncMonitorNotFound = nameof(SyncMonitorNotFound);
    public const string SyncMonitorNotDocumented = nameof(SyncMonitorNotDocumented);
    public const string InvalidMonitorUri = nameof(InvalidMonitorUri);

    // DR consistency
    public const string EtcdEndpointsRequired = nameof(EtcdEndpointsRequired);
    public const string DrPairSameCluster = nameof(DrPairSameCluster);
    public const string StandbyVipRequired = nameof(StandbyVipRequired);
    public const string NoMembersToCheck = nameof(NoMembersToCheck);

    // runbook and journal
    public const string JournalExists = nameof(JournalExists);
    public const string JournalNotFound = nameof(JournalNotFound);
    public const string JournalLocked = nameof(JournalLocked);
    public const string JournalCorrupt = nameof(JournalCorrupt);
    public const string JournalInputsChanged = nameof(JournalInputsChanged);
    public const string UnsupportedReportFormat = nameof(UnsupportedReportFormat);
    // etcd (Compare-EtcdKeyspace, Test-EtcdEndpoint)
    public const string EtcdEndpointInvalid = nameof(EtcdEndpointInvalid);
    public const string EtcdKeyspaceEmpty = nameof(EtcdKeyspaceEmpty);
    public const string EtcdCertificateFileNotFound = nameof(EtcdCertificateFileNotFound);
    public const string EtcdCertificateInvalid = nameof(EtcdCertificateInvalid);
    public const string EtcdTlsOptionsIncomplete = nameof(EtcdTlsOptionsIncomplete);
    public const string EtcdExclusionInvalid = nameof(EtcdExclusionInvalid);
    public const string EtcdConnectionFailed = nameof(EtcdConnectionFailed);
    public const string EtcdScanFailed = nameof(EtcdScanFailed);
    public const string EtcdRevisionCompacted = nameof(EtcdRevisionCompacted);
    public const string EtcdKeyOrderViolated = nameof(EtcdKeyOrderViolated);
    // Remote execution and image sync.
    public const string HostKeyUnknown = nameof(HostKeyUnknown);
    public const string HostKeyChanged = nameof(HostKeyChanged);
    public const string SshAuthenticationFailed = nameof(SshAuthenticationFailed);
    public const string SshConnectionFailed = nameof(SshConnectionFailed);
    public const string SshKeyFileInvalid = nameof(SshKeyFileInvalid);
    public const string RemoteSessionLost = nameof(RemoteSessionLost);
    public const string RemoteCommandFailed = nameof(RemoteCommandFailed);
    public const string PackagePathNotFound = nameof(PackagePathNotFound);
    public const string UpgradeScriptNotFound = nameof(UpgradeScriptNotFound);
    public const string ImageSyncFailed = nameof(ImageSyncFailed);
    public const string ImageSyncLost = nameof(ImageSyncLost);
    public const string ImageSyncNotFound = nameof(ImageSyncNotFound);
    public const string ImageSyncTimeout = nameof(ImageSyncTimeout);
    public const string RunStateInvalid = nameof(RunStateInvalid);
    public const string RegistryCredentialMissing = nameof(RegistryCredentialMissing);
    public const string RegistryMissing = nameof(RegistryMissing);
    public const string ProgressPatternInvalid = nameof(ProgressPatternInvalid);
    // Waiting (watches, pod logs)
    public const string WaitTimedOut = nameof(WaitTimedOut);
    public const string WatchFailed = nameof(WatchFailed);
    public const string PodGone = nameof(PodGone);

    // etcd synchronizer lifecycle
    public const string StandbyNotConsistent = nameof(StandbyNotConsistent);
    public const string HelmReleaseRemovalNeedsNode = nameof(HelmReleaseRemovalNeedsNode);
    public const string EtcdSyncPluginNotFound = nameof(EtcdSyncPluginNotFound);
    public const string EtcdSyncVersionNotFound = nameof(EtcdSyncVersionNotFound);
    public const string EtcdSyncConfigKeyUnknown = nameof(EtcdSyncConfigKeyUnknown);
    public const string EtcdSyncVersionMismatch = nameof(EtcdSyncVersionMismatch);
    public const string EtcdSyncFormFieldNotFound = nameof(EtcdSyncFormFieldNotFound);
    public const string EtcdSyncNotInstalled = nameof(EtcdSyncNotInstalled);
    public const string EtcdSyncNoLeader = nameof(EtcdSyncNoLeader);
    public const string EtcdSyncUnsupportedVersion = nameof(EtcdSyncUnsupportedVersion);
    public const string EtcdSyncAmbiguous = nameof(EtcdSyncAmbiguous);
    public const string EtcdSyncTooOldForEncryption = nameof(EtcdSyncTooOldForEncryption);
    public const string EtcdEndpointUnreachable = nameof(EtcdEndpointUnreachable);
    public const string ActiveClusterTokenMissing = nameof(ActiveClusterTokenMissing);
    public const string BootstrapJobFailed = nameof(BootstrapJobFailed);
    public const string EtcdSyncStalled = nameof(EtcdSyncStalled);

    // Start-GlobalUpgrade, Wait-GlobalUpgrade, Get-GlobalUpgradePlan
    public const string UnsupportedUpgradePath = nameof(UnsupportedUpgradePath);
    public const string ImageSyncNotDone = nameof(ImageSyncNotDone);
    public const string UpgradeNotTriggered = nameof(UpgradeNotTriggered);
    public const string TargetVersionUnknown = nameof(TargetVersionUnknown);
    public const string UpgradeTriggerFailed = nameof(UpgradeTriggerFailed);
    public const string UpgradeTriggerLost = nameof(UpgradeTriggerLost);
    public const string ComponentUpgradeFailed = nameof(ComponentUpgradeFailed);
    public const string ComponentUpgradeStalled = nameof(ComponentUpgradeStalled);
    public const string ComponentObjectNotFound = nameof(ComponentObjectNotFound);
    public const string ComponentUpgradeNotAvailable = nameof(ComponentUpgradeNotAvailable);
    public const string TargetVersionNotOffered = nameof(TargetVersionNotOffered);
    public const string TargetVersionAmbiguous = nameof(TargetVersionAmbiguous);
    public const string UpgradeScriptFlagUnsupported = nameof(UpgradeScriptFlagUnsupported);
    public const string UpgradeTimeout = nameof(UpgradeTimeout);
    public const string UpgradeRunNotFound = nameof(UpgradeRunNotFound);
    public const string InvalidProfileOverride = nameof(InvalidProfileOverride);
    public const string InvalidEstimate = nameof(InvalidEstimate);
    public const string UpgradeFailed = nameof(UpgradeFailed);
    public const string StandbyNotUpgraded = nameof(StandbyNotUpgraded);
    public const string EtcdSyncOptionsMissing = nameof(EtcdSyncOptionsMissing);
    public const string EtcdSyncOptionUnknown = nameof(EtcdSyncOptionUnknown);
    public const string EtcdSyncOptionInvalid = nameof(EtcdSyncOptionInvalid);
    public const string RunbookStepFailed = nameof(RunbookStepFailed);

    // Test-GlobalUpgradeReadiness, Invoke-GlobalUpgradePreflight
    public const string InvalidKubernetesRange = nameof(InvalidKubernetesRange);
    public const string PreflightOutputUnreadable = nameof(PreflightOutputUnreadable);
    public const string PreflightNotSupported = nameof(PreflightNotSupported);
    public const string PreflightFailedToRun = nameof(PreflightFailedToRun);
    public const string NodeClusterAmbiguous = nameof(NodeClusterAmbiguous);
    public const string NodeAccessRequired = nameof(NodeAccessRequired);

    // Approve-GlobalUpgradeGate
    public const string AdminGatesNotFound = nameof(AdminGatesNotFound);
    public const string AdminGateNotFound = nameof(AdminGateNotFound);
    public const string AdminGatePrerequisiteNotMet = nameof(AdminGatePrerequisiteNotMet);

    // snapshot
    public const string SnapshotPathInvalid = nameof(SnapshotPathInvalid);
    public const string SnapshotFormatUnsupported = nameof(SnapshotFormatUnsupported);

    // Invoke-GlobalUpgradeRehearsal
    public const string RehearsalSimulatorNotFound = nameof(RehearsalSimulatorNotFound);
    public const string RehearsalSimulatorFailed = nameof(RehearsalSimulatorFailed);
    public const string RehearsalSnapshotInvalid = nameof(RehearsalSnapshotInvalid);
    public const string RehearsalSnapshotNotFound = nameof(RehearsalSnapshotNotFound);

    // input validation (Validation/)
    public const string HostInvalid = nameof(HostInvalid);
    public const string RegistryInvalid = nameof(RegistryInvalid);
    public const string FileExpected = nameof(FileExpected);
    public const string FileNotFound = nameof(FileNotFound);
    public const string OutputPathInvalid = nameof(OutputPathInvalid);
}
