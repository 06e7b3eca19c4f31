# A table of bad inputs, grouped by cmdlet. Each case asserts that the input is refused at once with an ErrorRecord
# whose FullyQualifiedErrorId starts with a stable id, whose category is the right one, and whose message names the
# bad value. Each case names its class:
#   Binding  — PowerShell's parameter binding refuses it (ValidateSet/Range/Pattern, a type that does not convert);
#   Host     — a host, VIP or registry that is not a bare host (a URL, blank, spaces);
#   File     — a file to read that is missing, a folder, empty or not the right format;
#   Output   — a file to write whose folder is missing, is a file, is read-only, or that is a folder;
#   Name     — a cluster, context, run id or plugin name that does not exist;
#   Value    — a malformed value inside a string or hashtable (a version, a pattern, an option).
# One simulator for the whole file; no case waits on anything.
BeforeDiscovery {
    $fx = Join-Path ([IO.Path]::GetTempPath()) "gu-bad-$PID"   # the same path at discovery and at run time
    $binding = 'ParameterArgumentValidationError'
    $convert = 'ParameterArgumentTransformationError|CannotConvertArgumentNoMessage|ParameterArgumentValidationError'
    $remote = 'Invoke-GlobalImageSync', 'Invoke-GlobalUpgradePreflight', 'Start-GlobalUpgrade', 'Wait-GlobalUpgrade', 'Wait-GlobalImageSync', 'Uninstall-EtcdSync', 'Test-GlobalUpgradeReadiness', 'Invoke-GlobalUpgrade', 'Invoke-GlobalDrUpgrade'
    # The mandatory arguments each remote cmdlet needs besides the bad one (never reached: binding fails first).
    $remoteArgs = @{
        'Invoke-GlobalImageSync' = @{ PackagePath = '/pkg' }
        'Invoke-GlobalUpgradePreflight' = @{ PackagePath = '/pkg' }
        'Start-GlobalUpgrade' = @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0' }
        'Wait-GlobalUpgrade' = @{ Id = 'x' }
        'Wait-GlobalImageSync' = @{ Id = 'x' }
        'Uninstall-EtcdSync' = @{ WhatIf = $true }
        'Test-GlobalUpgradeReadiness' = @{ TargetVersion = 'v4.2.0' }
        'Invoke-GlobalUpgrade' = @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0' }
        'Invoke-GlobalDrUpgrade' = @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0' }
    }

    $cases = [Collections.Generic.List[hashtable]]::new()
    function Join-Arguments([hashtable] $Base, [hashtable] $More) {
        $all = $Base.Clone()
        foreach ($k in $More.Keys) { $all[$k] = $More[$k] }
        $all
    }
    function Add-Case([string] $Cmdlet, [string] $Class, [string] $Name, [hashtable] $Arguments, [string] $Id, [string] $Category, [string] $Value) {
        $cases.Add(@{ Cmdlet = $Cmdlet; Class = $Class; Name = $Name; Arguments = $Arguments; Id = $Id; Category = $Category; Value = $Value })
    }

    # Every remote cmdlet shares the SSH parameters: the same refusals on each.
    foreach ($c in $remote) {
        $base = $remoteArgs[$c]
        Add-Case $c Binding '-Port 0' (Join-Arguments $base @{ Port = 0 }) $binding InvalidData '0'
        Add-Case $c Binding '-Port 70000' (Join-Arguments $base @{ Port = 70000 }) $binding InvalidData '70000'
        Add-Case $c Binding '-Port abc' (Join-Arguments $base @{ Port = 'abc' }) $convert InvalidArgument 'abc'
        Add-Case $c Binding '-ConnectTimeoutSec 0' (Join-Arguments $base @{ ConnectTimeoutSec = 0 }) $binding InvalidData '0'
        Add-Case $c Binding '-HostKeyFingerprint not-a-fingerprint' (Join-Arguments $base @{ HostKeyFingerprint = 'not-a-fingerprint' }) $binding InvalidData 'not-a-fingerprint'
        Add-Case $c Binding '-HostKeyFingerprint an MD5 fingerprint' (Join-Arguments $base @{ HostKeyFingerprint = '16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48' }) $binding InvalidData '16:27:ac:a5'
    }

    # Connect-GlobalCluster
    Add-Case Connect-GlobalCluster File 'a missing kubeconfig' @{ Kubeconfig = "$fx/nosuch.kubeconfig"; Context = 'primary'; Role = 'Primary' } KubeconfigNotFound ObjectNotFound "$fx/nosuch.kubeconfig"
    Add-Case Connect-GlobalCluster File 'a folder as the kubeconfig' @{ Kubeconfig = "$fx/folder"; Context = 'primary'; Role = 'Primary' } KubeconfigInvalid InvalidData "$fx/folder"
    Add-Case Connect-GlobalCluster File 'an empty kubeconfig' @{ Kubeconfig = "$fx/empty.txt"; Context = 'primary'; Role = 'Primary' } KubeconfigInvalid InvalidData "$fx/empty.txt"
    Add-Case Connect-GlobalCluster File 'a YAML scalar as the kubeconfig' @{ Kubeconfig = "$fx/scalar.yaml"; Context = 'primary'; Role = 'Primary' } KubeconfigInvalid InvalidData "$fx/scalar.yaml"
    Add-Case Connect-GlobalCluster File 'a YAML list as the kubeconfig' @{ Kubeconfig = "$fx/list.yaml"; Context = 'primary'; Role = 'Primary' } KubeconfigInvalid InvalidData "$fx/list.yaml"
    Add-Case Connect-GlobalCluster File 'a kubeconfig without contexts' @{ Kubeconfig = "$fx/nocontexts.yaml"; Context = 'primary'; Role = 'Primary' } KubeconfigInvalid InvalidData "$fx/nocontexts.yaml"
    Add-Case Connect-GlobalCluster Name 'an unknown context' @{ Kubeconfig = '<sim>'; Context = 'nosuch-context'; Role = 'Primary' } ContextNotFound ObjectNotFound 'nosuch-context'
    Add-Case Connect-GlobalCluster Name 'a context differing in case' @{ Kubeconfig = '<sim>'; Context = 'PRIMARY'; Role = 'Primary' } ContextNotFound ObjectNotFound 'PRIMARY'
    Add-Case Connect-GlobalCluster Binding '-Role Primry' @{ Kubeconfig = '<sim>'; Context = 'primary'; Role = 'Primry' } $convert InvalidArgument 'Primry'
    Add-Case Connect-GlobalCluster Binding '-ConnectTimeoutSec 0' @{ Kubeconfig = '<sim>'; Context = 'primary'; Role = 'Primary'; ConnectTimeoutSec = 0 } $binding InvalidData '0'
    Add-Case Connect-GlobalCluster Binding '-ConnectTimeoutSec 301' @{ Kubeconfig = '<sim>'; Context = 'primary'; Role = 'Primary'; ConnectTimeoutSec = 301 } $binding InvalidData '301'
    Add-Case Connect-GlobalCluster Binding '-RequestTimeoutSec 0' @{ Kubeconfig = '<sim>'; Context = 'primary'; Role = 'Primary'; RequestTimeoutSec = 0 } $binding InvalidData '0'
    Add-Case Connect-GlobalCluster Binding '-RequestTimeoutSec ten' @{ Kubeconfig = '<sim>'; Context = 'primary'; Role = 'Primary'; RequestTimeoutSec = 'ten' } $convert InvalidArgument 'ten'

    # Cluster names that are not connected, on every cmdlet that takes one.
    foreach ($c in 'Get-GlobalMachine', 'Get-GlobalUpgradeStatus', 'Export-GlobalClusterSnapshot', 'Get-EtcdSyncStatus', 'Restart-EtcdSync', 'Test-GlobalUpgradeReadiness', 'Get-GlobalUpgradePlan', 'Invoke-GlobalImageSync', 'Install-EtcdSync', 'Uninstall-EtcdSync', 'Approve-GlobalUpgradeGate') {
        $arguments = @{ Cluster = 'nosuch-cluster' }
        switch ($c) {
            'Export-GlobalClusterSnapshot' { $arguments.Path = "$fx/snapshot.json" }
            'Test-GlobalUpgradeReadiness' { $arguments.TargetVersion = 'v4.2.0' }
            'Get-GlobalUpgradePlan' { $arguments.TargetVersion = 'v4.2.0' }
            'Invoke-GlobalImageSync' { $arguments.PackagePath = '/pkg'; $arguments.WhatIf = $true }
            'Install-EtcdSync' { $arguments.ActiveClusterVip = '10.0.0.10'; $arguments.WhatIf = $true }
            'Uninstall-EtcdSync' { $arguments.WhatIf = $true }
            'Restart-EtcdSync' { $arguments.WhatIf = $true }
            'Approve-GlobalUpgradeGate' { $arguments.Name = 'ack-4.4-kubernetes-1.35-kernel-update'; $arguments.WhatIf = $true }
        }
        Add-Case $c Name '-Cluster nosuch-cluster' $arguments ClusterNotConnected ObjectNotFound 'nosuch-cluster'
    }

    # Get-GlobalMachine
    Add-Case Get-GlobalMachine Binding '-Phase Runing' @{ Phase = 'Runing' } $binding InvalidData 'Runing'
    Add-Case Get-GlobalMachine Binding '-Phase Ready' @{ Phase = 'Ready' } $binding InvalidData 'Ready'
    Add-Case Get-GlobalMachine Binding '-Phase with one good, one bad' @{ Phase = 'Running', 'Faild' } $binding InvalidData 'Faild'

    # Get-GlobalCluster / Disconnect-GlobalCluster
    Add-Case Get-GlobalCluster Binding '-Role Stanby' @{ Role = 'Stanby' } $convert InvalidArgument 'Stanby'
    Add-Case Disconnect-GlobalCluster Name '-Name nosuch-cluster' @{ Name = 'nosuch-cluster' } ClusterNotConnected ObjectNotFound 'nosuch-cluster'

    # Get-GlobalUpgradePlan / Test-GlobalUpgradeReadiness / Start-GlobalUpgrade: versions
    foreach ($v in 'banana', 'v4.2.99999999999', '4.x', 'v4..2', '') {
        if ($v -eq '') { continue }
        Add-Case Get-GlobalUpgradePlan Value "-TargetVersion $v" @{ TargetVersion = $v; Cluster = 'primary' } InvalidPlatformVersion InvalidArgument $v
        Add-Case Test-GlobalUpgradeReadiness Value "-TargetVersion $v" @{ TargetVersion = $v; Cluster = 'primary' } InvalidPlatformVersion InvalidArgument $v
    }
    Add-Case Get-GlobalUpgradePlan Value '-Estimate with an unknown step' @{ TargetVersion = 'v4.2.0'; Cluster = 'primary'; Estimate = @{ NoSuchStep = 60 } } InvalidEstimate InvalidArgument 'NoSuchStep'
    Add-Case Get-GlobalUpgradePlan Value '-Estimate with a word for a duration' @{ TargetVersion = 'v4.2.0'; Cluster = 'primary'; Estimate = @{ ImageSync = 'long' } } InvalidEstimate InvalidArgument 'long'
    Add-Case Get-GlobalUpgradePlan Value '-Estimate with a negative duration' @{ TargetVersion = 'v4.2.0'; Cluster = 'primary'; Estimate = @{ ImageSync = -5 } } InvalidEstimate InvalidArgument 'ImageSync'
    Add-Case Test-GlobalUpgradeReadiness Value '-KubernetesVersionRange nonsense' @{ TargetVersion = 'v4.2.0'; Cluster = 'primary'; KubernetesVersionRange = 'nonsense' } InvalidKubernetesRange InvalidArgument 'nonsense'

    # Test-GlobalDrConsistency
    Add-Case Test-GlobalDrConsistency Value 'the primary as both sides' @{ Primary = 'primary'; Standby = 'primary' } DrPairSameCluster InvalidArgument 'primary'
    Add-Case Test-GlobalDrConsistency Name '-Primary nosuch-cluster' @{ Primary = 'nosuch-cluster'; Standby = 'standby' } ClusterNotConnected ObjectNotFound 'nosuch-cluster'
    Add-Case Test-GlobalDrConsistency Name '-Standby nosuch-cluster' @{ Primary = 'primary'; Standby = 'nosuch-cluster' } ClusterNotConnected ObjectNotFound 'nosuch-cluster'
    Add-Case Test-GlobalDrConsistency Binding '-Source Etcdd' @{ Source = 'Etcdd' } $convert InvalidArgument 'Etcdd'
    Add-Case Test-GlobalDrConsistency Binding '-TimeoutSec 0' @{ TimeoutSec = 0 } $binding InvalidData '0'

    # Test-EtcdEndpoint
    Add-Case Test-EtcdEndpoint Value 'an ftp:// endpoint' @{ Endpoint = 'ftp://10.0.0.1:2379' } EtcdEndpointInvalid InvalidArgument 'ftp://10.0.0.1:2379'
    Add-Case Test-EtcdEndpoint Value 'an endpoint without a scheme' @{ Endpoint = '10.0.0.1:2379' } EtcdEndpointInvalid InvalidArgument '10.0.0.1:2379'
    Add-Case Test-EtcdEndpoint Value 'an endpoint with a path' @{ Endpoint = 'https://10.0.0.1:2379/v3' } EtcdEndpointInvalid InvalidArgument '/v3'
    Add-Case Test-EtcdEndpoint File 'a missing certificate' @{ Endpoint = 'https://127.0.0.1:1'; CertificatePath = "$fx/nosuch.crt"; KeyPath = "$fx/nosuch.key" } EtcdCertificateFileNotFound ObjectNotFound "$fx/nosuch.crt"
    Add-Case Test-EtcdEndpoint File 'a folder as the certificate' @{ Endpoint = 'https://127.0.0.1:1'; CertificatePath = "$fx/folder"; KeyPath = "$fx/plain.txt" } FileExpected InvalidArgument "$fx/folder"
    Add-Case Test-EtcdEndpoint File 'a folder as the CA' @{ Endpoint = 'https://127.0.0.1:1'; CaPath = "$fx/folder" } FileExpected InvalidArgument "$fx/folder"
    Add-Case Test-EtcdEndpoint File 'a text file as the certificate' @{ Endpoint = 'https://127.0.0.1:1'; CertificatePath = "$fx/plain.txt"; KeyPath = "$fx/plain.txt" } EtcdCertificateInvalid InvalidArgument "$fx/plain.txt"
    Add-Case Test-EtcdEndpoint Value 'a certificate without its key' @{ Endpoint = 'https://127.0.0.1:1'; CertificatePath = "$fx/plain.txt" } EtcdCertificateInvalid InvalidArgument "$fx/plain.txt"
    Add-Case Test-EtcdEndpoint Binding '-TimeoutSec 0' @{ Endpoint = 'https://127.0.0.1:1'; TimeoutSec = 0 } $binding InvalidData '0'
    Add-Case Test-EtcdEndpoint Binding '-TimeoutSec 301' @{ Endpoint = 'https://127.0.0.1:1'; TimeoutSec = 301 } $binding InvalidData '301'

    # Compare-EtcdKeyspace
    $ep = @{ PrimaryEndpoint = 'https://127.0.0.1:1'; StandbyEndpoint = 'https://127.0.0.1:2' }
    Add-Case Compare-EtcdKeyspace Value 'an http:// primary endpoint with a path' (Join-Arguments $ep @{ PrimaryEndpoint = 'https://127.0.0.1:1/x' }) EtcdEndpointInvalid InvalidArgument '/x'
    Add-Case Compare-EtcdKeyspace Value 'an ftp:// standby endpoint' (Join-Arguments $ep @{ StandbyEndpoint = 'ftp://127.0.0.1:2' }) EtcdEndpointInvalid InvalidArgument 'ftp://127.0.0.1:2'
    Add-Case Compare-EtcdKeyspace Value 'an exclusion without a leading slash' (Join-Arguments $ep @{ Exclude = 'events' }) EtcdExclusionInvalid InvalidArgument 'events'
    Add-Case Compare-EtcdKeyspace File 'a missing primary certificate' (Join-Arguments $ep @{ PrimaryCertificatePath = "$fx/nosuch.crt"; PrimaryKeyPath = "$fx/nosuch.key" }) EtcdCertificateFileNotFound ObjectNotFound "$fx/nosuch.crt"
    Add-Case Compare-EtcdKeyspace File 'a folder as the standby CA' (Join-Arguments $ep @{ StandbyCaPath = "$fx/folder" }) FileExpected InvalidArgument "$fx/folder"
    Add-Case Compare-EtcdKeyspace Value 'a primary key without its certificate' (Join-Arguments $ep @{ PrimaryKeyPath = "$fx/plain.txt" }) EtcdTlsOptionsIncomplete InvalidArgument 'without its certificate'
    Add-Case Compare-EtcdKeyspace Binding '-PageSize 0' (Join-Arguments $ep @{ PageSize = 0 }) $binding InvalidData '0'
    Add-Case Compare-EtcdKeyspace Binding '-MaxKeys -1' (Join-Arguments $ep @{ MaxKeys = -1 }) $binding InvalidData '-1'
    Add-Case Compare-EtcdKeyspace Binding '-TimeoutSec 0' (Join-Arguments $ep @{ TimeoutSec = 0 }) $binding InvalidData '0'

    # Get-EtcdSyncStatus
    Add-Case Get-EtcdSyncStatus Value '-MonitorUri ftp://' @{ MonitorUri = 'ftp://10.0.0.1:9000' } InvalidMonitorUri InvalidArgument 'ftp://10.0.0.1:9000'
    Add-Case Get-EtcdSyncStatus Binding '-TimeoutSec 0' @{ TimeoutSec = 0 } $binding InvalidData '0'
    Add-Case Get-EtcdSyncStatus Binding '-TimeoutSec 3601' @{ TimeoutSec = 3601 } $binding InvalidData '3601'

    # Install-EtcdSync: the VIP, the options, the plugin name
    foreach ($vip in @(
            @{ N = 'a URL as the VIP'; V = 'https://10.0.0.10' }
            @{ N = 'a URL with a port as the VIP'; V = 'https://10.0.0.10:443' }
            @{ N = 'a blank VIP'; V = '   ' }
            @{ N = 'a VIP with a space'; V = '10.0.0.10 10.0.0.11' }
            @{ N = 'a VIP with a path'; V = '10.0.0.10/api' }
            @{ N = 'a VIP with a comma'; V = '10.0.0.10,10.0.0.11' }
            @{ N = 'a VIP with an underscore host'; V = 'bad_host!' })) {
        Add-Case Install-EtcdSync Host $vip.N @{ ActiveClusterVip = $vip.V; SkipEndpointCheck = $true; WhatIf = $true } HostInvalid InvalidArgument $vip.V.Trim()
    }
    Add-Case Install-EtcdSync Name '-ModuleName with a typo' @{ ActiveClusterVip = '10.0.0.10'; ModuleName = 'etcd-synk'; SkipEndpointCheck = $true; WhatIf = $true } EtcdSyncPluginNotFound ObjectNotFound 'etcd-synk'
    Add-Case Install-EtcdSync Name '-Version not offered' @{ ActiveClusterVip = '10.0.0.10'; Version = 'v0.0.1'; SkipEndpointCheck = $true; WhatIf = $true } EtcdSyncVersionNotFound ObjectNotFound 'v0.0.1'
    Add-Case Install-EtcdSync Value 'an ftp:// active etcd endpoint' @{ ActiveClusterVip = '10.0.0.10'; ActiveEtcdEndpoint = 'ftp://10.0.0.10:2379'; SkipEndpointCheck = $true; WhatIf = $true } EtcdEndpointInvalid InvalidArgument 'ftp://10.0.0.10:2379'
    Add-Case Install-EtcdSync Value 'a standby etcd endpoint with a path' @{ ActiveClusterVip = '10.0.0.10'; StandbyEtcdEndpoint = 'https://10.0.0.20:2379/v3'; SkipEndpointCheck = $true; WhatIf = $true } EtcdEndpointInvalid InvalidArgument 'https://10.0.0.20:2379/v3'
    Add-Case Install-EtcdSync Value 'a -Config key the form does not have' @{ ActiveClusterVip = '10.0.0.10'; Config = @{ dataCheckIntervall = 30 }; SkipEndpointCheck = $true; WhatIf = $true } EtcdSyncConfigKeyUnknown InvalidArgument 'dataCheckIntervall'
    Add-Case Install-EtcdSync Binding '-DataCheckInterval 0' @{ ActiveClusterVip = '10.0.0.10'; DataCheckInterval = 0 } $binding InvalidData '0'
    Add-Case Install-EtcdSync Binding '-TimeoutSec 0' @{ ActiveClusterVip = '10.0.0.10'; TimeoutSec = 0 } $binding InvalidData '0'

    # Approve-GlobalUpgradeGate: a cluster whose target release brought no gates (the 4.1 pair here) has nothing to acknowledge.
    Add-Case Approve-GlobalUpgradeGate Name 'a gate on a cluster without cpaas-system/admin-gates' @{ Name = 'ack-4.4-kubernetes-1.35-kernel-update'; Cluster = 'standby'; WhatIf = $true } AdminGatesNotFound ObjectNotFound 'standby'

    # Uninstall-EtcdSync / Restart-EtcdSync
    Add-Case Uninstall-EtcdSync Name '-ModuleName with a typo' @{ Cluster = 'standby'; ModuleName = 'etcd-synk'; WhatIf = $true } EtcdSyncPluginNotFound ObjectNotFound 'etcd-synk'
    Add-Case Uninstall-EtcdSync Name '-ModuleName of another plugin family' @{ Cluster = 'standby'; ModuleName = 'no-such-plugin'; WhatIf = $true } EtcdSyncPluginNotFound ObjectNotFound 'no-such-plugin'
    Add-Case Uninstall-EtcdSync Binding '-TimeoutSec 0' @{ TimeoutSec = 0 } $binding InvalidData '0'
    Add-Case Restart-EtcdSync Binding '-TimeoutSec 0' @{ TimeoutSec = 0 } $binding InvalidData '0'

    # Invoke-GlobalImageSync
    $sync = @{ PackagePath = '/pkg'; WhatIf = $true }
    foreach ($r in @(
            @{ N = 'an https:// registry'; V = 'https://registry.example.com' }
            @{ N = 'an http:// registry with a port'; V = 'http://registry.example.com:5000' }
            @{ N = 'a registry with a space'; V = 'registry.example.com 5000' }
            @{ N = 'a registry with a bad port'; V = 'registry.example.com:port' }
            @{ N = 'a registry with port 0'; V = 'registry.example.com:0' }
            @{ N = 'a registry with a port over 65535'; V = 'registry.example.com:70000' })) {
        Add-Case Invoke-GlobalImageSync Host $r.N (Join-Arguments $sync @{ Registry = $r.V; RegistryCredential = '<cred>' }) RegistryInvalid InvalidArgument $r.V
        Add-Case Invoke-GlobalUpgrade Host $r.N @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0'; Cluster = 'primary'; Registry = $r.V; RegistryCredential = '<cred>'; WhatIf = $true } RegistryInvalid InvalidArgument $r.V
    }
    # -Registry alone is valid from 4.3 (upgrade.sh reads cpaas-system/registry-admin); a credential alone never is.
    Add-Case Invoke-GlobalImageSync Value '-RegistryCredential without -Registry' (Join-Arguments $sync @{ RegistryCredential = '<cred>' }) RegistryMissing InvalidArgument '-Registry'
    Add-Case Invoke-GlobalImageSync Value '-ProgressPattern that does not parse' (Join-Arguments $sync @{ ProgressPattern = '(' }) ProgressPatternInvalid InvalidArgument '('
    Add-Case Invoke-GlobalImageSync Value '-ProgressPattern without groups' (Join-Arguments $sync @{ ProgressPattern = 'synced \d+ of \d+' }) ProgressPatternInvalid InvalidArgument 'synced \d+ of \d+'
    Add-Case Invoke-GlobalImageSync Binding '-RunRoot relative' (Join-Arguments $sync @{ RunRoot = 'runs' }) $binding InvalidData 'runs'

    # Wait-/Get- by id
    Add-Case Wait-GlobalImageSync Name 'an unknown run id' @{ Id = 'nosuch-run' } ImageSyncNotFound ObjectNotFound 'nosuch-run'
    Add-Case Wait-GlobalImageSync Binding '-TimeoutSec 0' @{ Id = 'x'; TimeoutSec = 0 } $binding InvalidData '0'
    Add-Case Wait-GlobalUpgrade Name 'an unknown run id' @{ Id = 'nosuch-run' } UpgradeRunNotFound ObjectNotFound 'nosuch-run'
    Add-Case Wait-GlobalUpgrade Binding '-TimeoutSec 0' @{ Id = 'x'; TimeoutSec = 0 } $binding InvalidData '0'
    Add-Case Get-GlobalImageSync Binding '-State Runing' @{ State = 'Runing' } $convert InvalidArgument 'Runing'

    # Start-GlobalUpgrade
    Add-Case Start-GlobalUpgrade Value '-TargetVersion banana' @{ PackagePath = '/pkg'; TargetVersion = 'banana'; Cluster = 'primary'; WhatIf = $true } InvalidPlatformVersion InvalidArgument 'banana'
    Add-Case Start-GlobalUpgrade Binding '-Stage Bogus' @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0'; Stage = 'Bogus' } $convert InvalidArgument 'Bogus'
    Add-Case Start-GlobalUpgrade Binding '-RunRoot relative' @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0'; RunRoot = 'runs' } $binding InvalidData 'runs'
    Add-Case Start-GlobalUpgrade Binding '-TimeoutSec 0' @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0'; TimeoutSec = 0 } $binding InvalidData '0'
    Add-Case Start-GlobalUpgrade Value '-ComponentProfile with an unknown key' @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0'; Cluster = 'primary'; ComponentProfile = @{ NoSuchKey = 1 }; WhatIf = $true } InvalidProfileOverride InvalidArgument 'NoSuchKey'

    # Invoke-GlobalUpgrade / Invoke-GlobalDrUpgrade: journal path, -EtcdSync, -StandbyVip
    $run = @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0'; Cluster = 'primary' }
    Add-Case Invoke-GlobalUpgrade Output 'a journal path that is a folder' (Join-Arguments $run @{ JournalPath = "$fx/folder" }) OutputPathInvalid InvalidArgument "$fx/folder"
    Add-Case Invoke-GlobalUpgrade Output 'a journal path in a missing folder' (Join-Arguments $run @{ JournalPath = "$fx/missing191/journal.json" }) OutputPathInvalid InvalidArgument "$fx/missing191/journal.json"
    Add-Case Invoke-GlobalUpgrade Output 'a journal path under a file' (Join-Arguments $run @{ JournalPath = "$fx/plain.txt/journal.json" }) OutputPathInvalid InvalidArgument "$fx/plain.txt/journal.json"
    Add-Case Invoke-GlobalUpgrade Output 'a journal path in a read-only folder' (Join-Arguments $run @{ JournalPath = '/proc/journal.json' }) OutputPathInvalid PermissionDenied '/proc/journal.json'
    Add-Case Invoke-GlobalUpgrade Binding '-PauseBefore NoSuchStep' (Join-Arguments $run @{ PauseBefore = 'NoSuchStep' }) $binding InvalidData 'NoSuchStep'
    Add-Case Invoke-GlobalUpgrade Binding '-StepTimeoutSec 10' (Join-Arguments $run @{ StepTimeoutSec = 10 }) $binding InvalidData '10'
    Add-Case Invoke-GlobalUpgrade Binding '-RunRoot relative' (Join-Arguments $run @{ RunRoot = 'runs' }) $binding InvalidData 'runs'
    Add-Case Invoke-GlobalUpgrade Value '-Estimate with an unknown step' (Join-Arguments $run @{ Estimate = @{ NoSuchStep = 60 } }) InvalidEstimate InvalidArgument 'NoSuchStep'
    Add-Case Invoke-GlobalUpgrade Value '-SkipCheckArtifacts for a target before 4.3' (Join-Arguments $run @{ SkipCheckArtifacts = $true; WhatIf = $true }) UpgradeScriptFlagUnsupported InvalidArgument 'v4.2.0'
    Add-Case Start-GlobalUpgrade Value '-ComponentProfile with a removed Kubernetes key' @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0'; Cluster = 'primary'; ComponentProfile = @{ KubernetesVersion = 'v1.33.1' }; WhatIf = $true } InvalidProfileOverride InvalidArgument 'KubernetesVersion'
    Add-Case Start-GlobalUpgrade Value '-ComponentProfile with a deadline that is not a duration' @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0'; Cluster = 'primary'; ComponentProfile = @{ ClusterModuleUpgradeAvailableTimeout = 'soon' }; WhatIf = $true } InvalidProfileOverride InvalidArgument 'soon'
    $dr = @{ PackagePath = '/pkg'; TargetVersion = 'v4.2.0' }
    Add-Case Invoke-GlobalDrUpgrade Host '-StandbyVip https://' (Join-Arguments $dr @{ StandbyVip = 'https://10.0.0.20' }) HostInvalid InvalidArgument 'https://10.0.0.20'
    Add-Case Invoke-GlobalDrUpgrade Host '-StandbyVip blank' (Join-Arguments $dr @{ StandbyVip = ' ' }) HostInvalid InvalidArgument "' '"
    Add-Case Invoke-GlobalDrUpgrade Host '-StandbyVip with a path' (Join-Arguments $dr @{ StandbyVip = '10.0.0.20/x' }) HostInvalid InvalidArgument '10.0.0.20/x'
    Add-Case Invoke-GlobalUpgrade Value '-RegistryCredential without -Registry' (Join-Arguments $run @{ RegistryCredential = '<cred>'; WhatIf = $true }) RegistryMissing InvalidArgument '-Registry'
    Add-Case Invoke-GlobalDrUpgrade Value '-StandbyRegistryCredential without -StandbyRegistry' (Join-Arguments $dr @{ StandbyRegistryCredential = '<cred>'; WhatIf = $true }) RegistryMissing InvalidArgument '-StandbyRegistry'
    Add-Case Invoke-GlobalDrUpgrade Value '-Assumption with an unknown name' (Join-Arguments $dr @{ Assumption = @{ NoSuchFact = 1 }; WhatIf = $true }) InvalidProfileOverride InvalidArgument 'NoSuchFact'
    Add-Case Test-GlobalDrConsistency Value '-Assumption with an unknown name' @{ Assumption = @{ NoSuchFact = 1 } } InvalidProfileOverride InvalidArgument 'NoSuchFact'
    Add-Case Get-EtcdSyncStatus Value '-MonitorPort that is no port' @{ MonitorPort = '80/tcp' } InvalidProfileOverride InvalidArgument '80/tcp'
    Add-Case Invoke-GlobalDrUpgrade Value '-EtcdSync with an unknown key' (Join-Arguments $dr @{ EtcdSync = @{ ActiveClusterVip = '10.0.0.10'; NoSuchOption = 1 } }) EtcdSyncOptionUnknown InvalidArgument 'NoSuchOption'
    Add-Case Invoke-GlobalDrUpgrade Value "-EtcdSync SkipEndpointCheck = 'no'" (Join-Arguments $dr @{ EtcdSync = @{ ActiveClusterVip = '10.0.0.10'; SkipEndpointCheck = 'no' } }) EtcdSyncOptionInvalid InvalidArgument 'no'
    Add-Case Invoke-GlobalDrUpgrade Value '-EtcdSync DataCheckInterval = ten' (Join-Arguments $dr @{ EtcdSync = @{ ActiveClusterVip = '10.0.0.10'; DataCheckInterval = 'ten' } }) EtcdSyncOptionInvalid InvalidArgument 'ten'
    Add-Case Invoke-GlobalDrUpgrade Value '-EtcdSync ActiveEtcdEndpoint not a URI' (Join-Arguments $dr @{ EtcdSync = @{ ActiveClusterVip = '10.0.0.10'; ActiveEtcdEndpoint = 'not a uri' } }) EtcdSyncOptionInvalid InvalidArgument 'not a uri'
    Add-Case Invoke-GlobalDrUpgrade Output 'a journal path that is a folder' (Join-Arguments $dr @{ JournalPath = "$fx/folder"; EtcdSync = @{ ActiveClusterVip = '10.0.0.10' } }) OutputPathInvalid InvalidArgument "$fx/folder"
    Add-Case Invoke-GlobalDrUpgrade Output 'a journal path in a missing folder' (Join-Arguments $dr @{ JournalPath = "$fx/missing206/j.json"; EtcdSync = @{ ActiveClusterVip = '10.0.0.10' } }) OutputPathInvalid InvalidArgument "$fx/missing206/j.json"
    Add-Case Invoke-GlobalDrUpgrade Binding '-VerifySyncTimeoutSec 5' (Join-Arguments $dr @{ VerifySyncTimeoutSec = 5 }) $binding InvalidData '5'

    # Export-GlobalUpgradeReport
    Add-Case Export-GlobalUpgradeReport File 'a missing journal' @{ JournalPath = "$fx/nosuch.json"; Path = "$fx/r.html" } JournalNotFound ObjectNotFound "$fx/nosuch.json"
    Add-Case Export-GlobalUpgradeReport File 'a folder as the journal' @{ JournalPath = "$fx/folder"; Path = "$fx/r.html" } FileExpected InvalidArgument "$fx/folder"
    Add-Case Export-GlobalUpgradeReport File 'a text file as the journal' @{ JournalPath = "$fx/plain.txt"; Path = "$fx/r.html" } JournalCorrupt InvalidData "$fx/plain.txt"
    Add-Case Export-GlobalUpgradeReport File 'an empty journal' @{ JournalPath = "$fx/empty.txt"; Path = "$fx/r.html" } JournalCorrupt InvalidData "$fx/empty.txt"
    Add-Case Export-GlobalUpgradeReport File 'a JSON journal of another shape' @{ JournalPath = "$fx/other.json"; Path = "$fx/r.html" } JournalCorrupt InvalidData "$fx/other.json"
    Add-Case Export-GlobalUpgradeReport Value 'a .txt report' @{ JournalPath = "$fx/other.json"; Path = "$fx/r.txt" } UnsupportedReportFormat InvalidArgument "$fx/r.txt"
    Add-Case Export-GlobalUpgradeReport Value 'a report without an extension' @{ JournalPath = "$fx/other.json"; Path = "$fx/report" } UnsupportedReportFormat InvalidArgument "$fx/report"
    Add-Case Export-GlobalUpgradeReport Output 'a report path that is a folder' @{ JournalPath = "$fx/other.json"; Path = "$fx/folder.html" } OutputPathInvalid InvalidArgument "$fx/folder.html"
    Add-Case Export-GlobalUpgradeReport Output 'a report in a missing folder' @{ JournalPath = "$fx/other.json"; Path = "$fx/missing218/r.html" } OutputPathInvalid InvalidArgument "$fx/missing218/r.html"
    Add-Case Export-GlobalUpgradeReport Output 'a report under a file' @{ JournalPath = "$fx/other.json"; Path = "$fx/plain.txt/r.md" } OutputPathInvalid InvalidArgument "$fx/plain.txt/r.md"
    Add-Case Export-GlobalUpgradeReport Output 'a report in a read-only folder' @{ JournalPath = "$fx/other.json"; Path = '/proc/r.html' } OutputPathInvalid PermissionDenied '/proc/r.html'

    # Export-GlobalClusterSnapshot
    Add-Case Export-GlobalClusterSnapshot Output 'a snapshot path in a missing folder' @{ Cluster = 'primary'; Path = "$fx/nosuchfolder/snapshot.json" } SnapshotPathInvalid InvalidArgument "$fx/nosuchfolder"
    Add-Case Export-GlobalClusterSnapshot Output 'a snapshot path that is a folder' @{ Cluster = 'primary'; Path = "$fx/folder" } SnapshotPathInvalid InvalidArgument "$fx/folder"

    # Invoke-GlobalUpgradePreflight
    Add-Case Invoke-GlobalUpgradePreflight Name '-Cluster nosuch-cluster' @{ Cluster = 'nosuch-cluster'; FromCluster = $true } ClusterNotConnected ObjectNotFound 'nosuch-cluster'

    $script:groups = @($cases | Group-Object { $_.Cmdlet } | Sort-Object Name | ForEach-Object { @{ Cmdlet = $_.Name; Cases = @($_.Group) } })
    $script:caseCount = $cases.Count
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force
    $script:fx = Join-Path ([IO.Path]::GetTempPath()) "gu-bad-$PID"
    Remove-Item $fx -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force $fx, "$fx/folder", "$fx/folder.html"
    Set-Content "$fx/plain.txt" 'not a certificate, not JSON'
    Set-Content "$fx/empty.txt" '' -NoNewline
    Set-Content "$fx/scalar.yaml" 'hello'
    Set-Content "$fx/list.yaml" "- a`n- b"
    Set-Content "$fx/nocontexts.yaml" "apiVersion: v1`nkind: Config`nclusters: []`nusers: []`ncontexts: []"
    Set-Content "$fx/other.json" '{"kind":"Something","items":[]}'
    $script:cred = [pscredential]::new('user', (ConvertTo-SecureString 'p4ss-Secret' -AsPlainText -Force))
}

AfterAll {
    Remove-Item $fx -Recurse -Force -ErrorAction Ignore
}

Describe 'Bad inputs' -Tag CI, BadInputs {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario healthy -Dr
        Connect-SimPair $sim
    }

    AfterAll {
        Get-GlobalCluster | Disconnect-GlobalCluster
        Stop-TestSimulator $sim
    }

    It 'the table holds at least 150 cases' {
        $caseCount | Should -BeGreaterOrEqual 150
    }

    Context '<Cmdlet>' -ForEach $groups {
        It '[<Class>] <Name>' -ForEach $Cases {
            $splat = @{}
            foreach ($k in $Arguments.Keys) {
                $splat[$k] = switch ($Arguments[$k]) { '<sim>' { $sim.Kubeconfig } '<cred>' { $cred } default { $_ } }
            }

            $failure = $null
            $elapsed = [Diagnostics.Stopwatch]::StartNew()
            try { & $Cmdlet @splat -ErrorAction Stop | Out-Null } catch { $failure = $_ }
            $elapsed.Stop()

            $failure | Should -Not -BeNullOrEmpty -Because "$Cmdlet must refuse $Name"
            $failure.FullyQualifiedErrorId | Should -Match "^($Id)(,|$)" -Because $failure.Exception.Message
            "$($failure.CategoryInfo.Category)" | Should -Be $Category -Because $failure.Exception.Message
            $failure.Exception.Message.Contains($Value) | Should -BeTrue -Because "the message must name '$Value': $($failure.Exception.Message)"
            $failure.Exception.Message | Should -Not -Match 'GlobalUpgrade\.[A-Z]\w+\.\w+|System\.Collections|k8s\.|KubeConfigModels|Object reference' -Because 'no .NET type names'
            $elapsed.Elapsed.TotalSeconds | Should -BeLessThan 15 -Because 'bad input is refused at once'
        }
    }

    It 'Invoke-GlobalImageSync -Cluster nosuch-cluster records no run' {
        { Invoke-GlobalImageSync -PackagePath /pkg -Cluster nosuch-cluster -ErrorAction Stop } | Should -Throw -ErrorId 'ClusterNotConnected*'
        @(Get-GlobalImageSync -Cluster nosuch-cluster) | Should -HaveCount 0
    }
}
