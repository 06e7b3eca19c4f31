# Readiness toward 4.4 (the docs' master branch) against the simulator over HTTPS: the administrator gate of
# cpaas-system/admin-gates, the Kubernetes 1.35 node checks over a real SSH server, and Approve-GlobalUpgradeGate
# acknowledging the gate only once they pass, after which the preflight's AdminAckRequired passes.
# The node is this machine through the test sshd; what it answers to `uname -r` and `stat -fc %T /sys/fs/cgroup/`
# comes from stand-ins put first on the PATH of its sessions (the sessions' ~/.bashrc), so both outcomes are tested
# whatever this machine runs.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force

    $script:work = (New-Item -ItemType Directory -Force (Join-Path ([IO.Path]::GetTempPath()) "gu-line44-$([guid]::NewGuid().ToString('n').Substring(0, 8))")).FullName
    $script:gate = 'ack-4.4-kubernetes-1.35-kernel-update'

    # What the node's uname -r and stat -fc %T print (set per test).
    function Set-NodeAnswer([string] $Kernel, [string] $Cgroup) {
        Set-Content -Path (Join-Path $ssh.Directory 'fake-kernel') -Value $Kernel
        Set-Content -Path (Join-Path $ssh.Directory 'fake-cgroup') -Value $Cgroup
    }

    # A ConfigMap of the simulated cluster as its API serves it.
    function Get-SimConfigMap($Simulator, [string] $Name) {
        $c = $Simulator.Clusters['global']
        Invoke-RestMethod -Uri "$($c.Server)/api/v1/namespaces/cpaas-system/configmaps/$Name" -Headers @{ Authorization = "Bearer $($c.Token)" } -SkipCertificateCheck
    }

    function Connect-Global($Simulator) {
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $Simulator.Kubeconfig -Context global -Role Standalone | Out-Null
    }
}

AfterAll {
    Get-GlobalCluster | Disconnect-GlobalCluster
    Remove-Item $work -Recurse -Force -ErrorAction Ignore
}

Describe 'Readiness toward 4.4 with the administrator gate and the node checks' -Tag CI {
    BeforeAll {
        $script:ssh = Start-TestSshd -Directory (Join-Path $work 'sshd')
        $script:node = $ssh.Node
        $script:nodeTarget = "global/127.0.0.1:$($ssh.Port)"
        # The SSH options without -ComputerName: every Machine of the global cluster (the scenario's one, on 127.0.0.1).
        $script:everyNode = $ssh.Node.Clone(); $everyNode.Remove('ComputerName')
        $fake = (New-Item -ItemType Directory -Force (Join-Path $ssh.Directory 'fakebin')).FullName
        Set-Content -Path (Join-Path $fake 'uname') -Value "#!/bin/sh`ncat '$($ssh.Directory)/fake-kernel'"
        Set-Content -Path (Join-Path $fake 'stat') -Value "#!/bin/sh`n[ `"`$*`" = '-fc %T /sys/fs/cgroup/' ] || exit 9`ncat '$($ssh.Directory)/fake-cgroup'"
        chmod +x (Join-Path $fake 'uname') (Join-Path $fake 'stat')
        Set-Content -Path (Join-Path $ssh.Directory 'home/.bashrc') -Value "export PATH='$fake':`"`$PATH`""
        $script:sim = Start-TestSimulator -Scenario readiness-admin-gate -TimeScale 0.2
        Connect-Global $sim
    }
    AfterAll {
        Stop-TestSimulator $sim
        Stop-TestSshd $ssh
    }

    It 'reports the open gate, the failed node checks and AdminAckRequired; the upgrade path is not published yet' {
        Set-NodeAnswer -Kernel '5.4.0-150-generic' -Cgroup 'tmpfs'
        $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.4 @node)

        $kernel = Get-Result $results NodeKernelVersion $nodeTarget
        $kernel.State | Should -Be 'Failed' -Because $kernel.Message
        $kernel.Actual | Should -Be '5.4.0-150-generic'
        (Get-Result $results NodeCgroupV2 $nodeTarget).State | Should -Be 'Failed'

        $open = Get-Result $results AdminGateAcknowledged "global/admin-gates/$gate"
        $open.State | Should -Be 'Failed'
        $open.Detail.PrerequisiteMet | Should -BeFalse
        $open.Detail.Requires | Should -Match 'kernel 5\.8 or later, cgroup v2'
        $open.Message | Should -Match "Approve-GlobalUpgradeGate -Name $gate"

        (Get-Result $results AdminAckRequired 'global/preflight').State | Should -Be 'Failed'
        $path = Get-Result $results VersionUpgradePath 'global'
        $path.State | Should -Be 'Failed'
        $path.Message | Should -Match 'no supported path to 4\.4 is published yet'
    }

    It 'expects AdminAckRequired from a 4.4 package''s upgrade.sh --preflight: NotChecked, never passed, when it does not report it' {
        $results = @(Invoke-GlobalUpgradePreflight @node -PackagePath (New-TestPackage -Root $work -Version 'v4.4.0'))
        $ack = @($results | Where-Object Check -eq AdminAckRequired)
        $ack.Count | Should -Be 1
        $ack[0].State | Should -Be 'NotChecked'
        ($results | Where-Object Check -eq PlatformLicense).State | Should -Be 'Passed'
    }

    It 'without node access reports every Machine of the global cluster NotChecked, with the command to run by hand' {
        $results = @(Test-GlobalUpgradeReadiness -TargetVersion 4.4)
        $kernel = @(Get-Result $results NodeKernelVersion)
        $kernel.Count | Should -Be @(Get-GlobalMachine -Cluster global | Where-Object ClusterName -eq 'global').Count
        $kernel | ForEach-Object { $_.State | Should -Be 'NotChecked'; $_.Message | Should -Match 'uname -r' }
        @(Get-Result $results NodeCgroupV2) | ForEach-Object { $_.State | Should -Be 'NotChecked'; $_.Message | Should -Match 'stat -fc %T /sys/fs/cgroup/' }
        (Get-Result $results AdminGateAcknowledged "global/admin-gates/$gate").Detail.PrerequisiteMet | Should -BeNullOrEmpty
    }

    It 'refuses to acknowledge the gate while a node check fails, and writes nothing' {
        Set-NodeAnswer -Kernel '6.1.0-18-amd64' -Cgroup 'tmpfs'
        { Approve-GlobalUpgradeGate -Name $gate @node -Confirm:$false } |
            Should -Throw -ErrorId 'AdminGatePrerequisiteNotMet,GlobalUpgrade.Commands.Readiness.ApproveGlobalUpgradeGateCommand'
        (Get-SimConfigMap $sim 'admin-acks').data.$gate | Should -BeNullOrEmpty
    }

    It 'acknowledges the gate once the node checks pass, and AdminAckRequired then passes' {
        Set-NodeAnswer -Kernel '6.1.0-18-amd64' -Cgroup 'cgroup2fs'
        # The SSH options alone reach every Machine of the global cluster, with the options given (port, key, known_hosts).
        $before = @(Test-GlobalUpgradeReadiness -TargetVersion 4.4 @everyNode)
        (Get-Result $before NodeKernelVersion 'global/127.0.0.1').State | Should -Be 'Passed' -Because (Get-Result $before NodeKernelVersion).Message
        (Get-Result $before NodeCgroupV2 'global/127.0.0.1').State | Should -Be 'Passed'
        (Get-Result $before AdminGateAcknowledged "global/admin-gates/$gate").Detail.PrerequisiteMet | Should -BeTrue

        $approval = Approve-GlobalUpgradeGate -Name $gate @everyNode -Confirm:$false
        $approval.Prerequisite.Target | Sort-Object -Unique | Should -Be 'global/127.0.0.1'
        $approval.Prerequisite.State | Sort-Object -Unique | Should -Be 'Passed'
        $approval.Acknowledged | Should -BeTrue
        $approval.Forced | Should -BeFalse
        $approval.PrerequisiteMet | Should -BeTrue
        $approval.AdminAckRequired.State | Should -Be 'Passed' -Because $approval.Message
        (Get-SimConfigMap $sim 'admin-acks').data.$gate | Should -Be 'true'

        $after = @(Test-GlobalUpgradeReadiness -TargetVersion 4.4 @node)
        (Get-Result $after AdminGateAcknowledged "global/admin-gates/$gate").State | Should -Be 'Passed'
        (Get-Result $after AdminAckRequired 'global/preflight').State | Should -Be 'Passed'
    }
}

Describe 'Approve-GlobalUpgradeGate without a met prerequisite' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario readiness-admin-gate -TimeScale 0.2
        Connect-Global $sim
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'refuses a gate the cluster does not list, and -WhatIf writes nothing' {
        { Approve-GlobalUpgradeGate -Name 'ack-4.4-no-such-gate' -Confirm:$false } |
            Should -Throw -ErrorId 'AdminGateNotFound,GlobalUpgrade.Commands.Readiness.ApproveGlobalUpgradeGateCommand'
        Approve-GlobalUpgradeGate -Name $gate -Force -WhatIf
        (Get-SimConfigMap $sim 'admin-acks').data.$gate | Should -BeNullOrEmpty
    }

    It '-Force acknowledges a gate whose node checks were not run, and records that on admin-acks' {
        $approval = Approve-GlobalUpgradeGate -Name $gate -Force -Confirm:$false
        $approval.Forced | Should -BeTrue
        $approval.PrerequisiteMet | Should -BeNullOrEmpty
        $approval.Message | Should -Match 'with -Force'
        $approval.Description | Should -Match 'kernel 5\.8 or later'
        $acks = Get-SimConfigMap $sim 'admin-acks'
        $acks.data.$gate | Should -Be 'true'
        $acks.metadata.annotations."globalupgrade.alauda.io/forced.$gate" | Should -Match 'acknowledged with -Force .* not checked: NodeKernelVersion NotChecked'
        $approval.AdminAckRequired.State | Should -Be 'Passed'
    }
}

Describe 'Approve-GlobalUpgradeGate with -Assumption' -Tag CI {
    BeforeAll {
        $script:sim = Start-TestSimulator -Scenario readiness-admin-gate -TimeScale 0.2
        Connect-Global $sim
    }
    AfterAll { Stop-TestSimulator $sim }

    It 'refuses an unknown name or an unusable value with InvalidProfileOverride, before anything is written' {
        $id = 'InvalidProfileOverride,GlobalUpgrade.Commands.Readiness.ApproveGlobalUpgradeGateCommand'
        foreach ($bad in @(
                @{ AdminGateNoSuchFact = 'x' },
                @{ AdminGateForcedAnnotationPrefix = '' },
                @{ AdminGateForcedAnnotationPrefix = 'Not A Key/' },
                @{ AdminGateAcknowledgedValue = ' ' },
                @{ AdminGateReevaluationTimeout = 'soon' },
                @{ AdminGateReevaluationTimeout = '-5s' },
                @{ AdminGateValueIsDescription = 'maybe' })) {
            { Approve-GlobalUpgradeGate -Name $gate -Force -Assumption $bad -Confirm:$false } | Should -Throw -ErrorId $id -Because ($bad | Out-String)
        }
        $acks = Get-SimConfigMap $sim 'admin-acks'
        $acks.data.$gate | Should -BeNullOrEmpty
        $acks.metadata.annotations | Should -BeNullOrEmpty
    }

    It 'writes the value and the annotation key given, and reads AdminAckRequired again only as long as told' {
        $prefix = 'example.com/forced-by-test.'
        Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/requests' -Method DELETE | Out-Null
        $approval = Approve-GlobalUpgradeGate -Name $gate -Force -Confirm:$false -Assumption @{
            AdminGateAcknowledgedValue = 'yes'; AdminGateForcedAnnotationPrefix = $prefix
            AdminGateReevaluationTimeout = '0'; AdminGateValueIsDescription = $false
        }
        $cvshReads = @(Invoke-SimAdmin -Simulator $sim -Cluster global -Path '/_sim/requests' | ForEach-Object { $_ } |
                Where-Object { $_.method -eq 'GET' -and $_.path -match 'clusterversionshadows' })

        $acks = Get-SimConfigMap $sim 'admin-acks'
        $acks.data.$gate | Should -Be 'yes'
        $acks.metadata.annotations."$prefix$gate" | Should -Match 'acknowledged with -Force'
        $acks.metadata.annotations."globalupgrade.alauda.io/forced.$gate" | Should -BeNullOrEmpty
        $approval.Message | Should -Match ([regex]::Escape("$prefix$gate"))
        $approval.Acknowledged | Should -BeTrue
        $approval.Description | Should -BeNullOrEmpty
        # The simulator's operator wants "true" [doc]: AdminAckRequired stays Failed, and with a zero reevaluation
        # time the cmdlet reads it once and returns (the default keeps reading it for 15 s).
        $approval.AdminAckRequired.State | Should -Be 'Failed'
        $approval.Message | Should -Match 'run the preflight again'
        $cvshReads.Count | Should -BeGreaterOrEqual 1 -Because 'AdminAckRequired is read from the ClusterVersionShadow'
        $cvshReads.Count | Should -BeLessOrEqual 2 -Because 'with a zero reevaluation time the ClusterVersionShadow is read once after the write (the default reads it again every 0.5 s for 15 s)'

        # Readiness reads the acknowledgement with the same assumption: 'yes' counts only when told so.
        (Get-Result @(Test-GlobalUpgradeReadiness -TargetVersion 4.4) AdminGateAcknowledged "global/admin-gates/$gate").State | Should -Be 'Failed'
        (Get-Result @(Test-GlobalUpgradeReadiness -TargetVersion 4.4 -Assumption @{ AdminGateAcknowledgedValue = 'yes' }) AdminGateAcknowledged "global/admin-gates/$gate").State | Should -Be 'Passed'
    }
}
