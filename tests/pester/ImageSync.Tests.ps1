# Invoke-/Get-/Wait-GlobalImageSync as a user drives them: locally and over a real OpenSSH server (started here on
# a loopback port with generated keys), with the stand-in upgrade.sh from tests/fixtures/package.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module $env:GLOBALUPGRADE_MODULE -Force
    $script:Root = if ($env:GLOBALUPGRADE_ROOT) { $env:GLOBALUPGRADE_ROOT } else { (Resolve-Path "$PSScriptRoot/../..").Path }
    $script:Work = Join-Path ([IO.Path]::GetTempPath()) "gu-pester-sync-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $null = New-Item -ItemType Directory -Force $Work
    $script:InvokeId = 'GlobalUpgrade.Commands.ImageSync.InvokeGlobalImageSyncCommand'
    $script:WaitId = 'GlobalUpgrade.Commands.ImageSync.WaitGlobalImageSyncCommand'

    function New-Package([string] $Name, [int] $DurationMs = 300, [int] $Images = 6, [int] $ExitCode = 0, [hashtable] $Conf = @{}) {
        New-TestPackage -Root $Work -Name $Name -SyncMs $DurationMs -Images $Images -Conf ($Conf + @{ GU_FAKE_EXIT = $ExitCode })
    }

    $script:Sshd = Start-TestSshd -Directory (Join-Path $Work 'sshd')
    $script:SshDir = $Sshd.Directory
    $script:Fingerprint = $Sshd.Fingerprint
    $script:Node = $Sshd.Node
}

AfterAll {
    Stop-TestSshd $Sshd
    Remove-Item $Work -Recurse -Force -ErrorAction Ignore
    Remove-Item Env:GLOBALUPGRADE_STATE_HOME -ErrorAction Ignore
}

Describe 'Invoke-GlobalImageSync' -Tag CI {
    BeforeEach {
        $env:GLOBALUPGRADE_STATE_HOME = Join-Path $Work "state-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
        $script:RunRoot = Join-Path $Work "runs-$([guid]::NewGuid().ToString('N').Substring(0, 6))"
    }

    It 'syncs on this machine, saves the log and records the run' {
        $package = New-Package 'local' -DurationMs 100
        $run = Invoke-GlobalImageSync -PackagePath $package -Cluster primary -RunRoot $RunRoot -Confirm:$false
        $run | Should -BeOfType ([GlobalUpgrade.ImageSyncRun])
        $run.State | Should -Be 'Succeeded'
        $run.ExitCode | Should -Be 0
        $run.Transport | Should -Be 'Local'
        $run.LastLines[-1] | Should -Match 'image sync finished'
        (Get-Content $run.LogPath -Raw) | Should -BeExactly (Get-Content (Join-Path $run.RunFolder 'log') -Raw)
        # On this machine the run's own log is the log: nothing copied onto the same disk.
        $run.LogPath | Should -Be (Join-Path $run.RunFolder 'log')
        Get-ChildItem "$env:GLOBALUPGRADE_STATE_HOME/runs" -Filter *.log | Should -BeNullOrEmpty
        (Get-GlobalImageSync -Id $run.Id).State | Should -Be 'Succeeded'
        (Get-GlobalImageSync -Cluster prim*).Id | Should -Be $run.Id
    }

    It 'syncs on a node over SSH with a verified host key' {
        $package = New-Package 'remote' -DurationMs 100
        $run = Invoke-GlobalImageSync @Node -PackagePath $package -Cluster standby -RunRoot $RunRoot -Confirm:$false
        $run.State | Should -Be 'Succeeded'
        $run.Transport | Should -Be 'Ssh'
        $run.ComputerName | Should -Be '127.0.0.1'
        $run.PackageIdentity | Should -Match 'version=v4\.3\.0'
    }

    It 'follows a run on a node by its tail only with -NoLogCopy: nothing copied, the last lines of a failure shown, re-attached the same way' {
        $package = New-Package 'tail' -DurationMs 300 -Images 30 -ExitCode 4
        $err = $null
        try { Invoke-GlobalImageSync @Node -PackagePath $package -Cluster standby -RunRoot $RunRoot -NoLogCopy -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "ImageSyncFailed,$InvokeId"
        $err.Exception.Message | Should -Match 'on 127\.0\.0\.1\. Last lines:'
        $err.Exception.Message | Should -Match 'ERROR image sync failed'
        $run = Get-GlobalImageSync -Cluster standby
        $run.LogPath | Should -Be (Join-Path $run.RunFolder 'log')
        $run.LastLines[-1] | Should -Match 'ERROR image sync failed'
        (Get-Content $run.LogPath | Select-String '\[\d+/30\] pushing').Count | Should -Be 30
        Get-ChildItem "$env:GLOBALUPGRADE_STATE_HOME/runs" -Filter *.log | Should -BeNullOrEmpty
        $again = $null
        try { $run | Wait-GlobalImageSync -TimeoutSec 60 } catch { $again = $_ }
        $again.FullyQualifiedErrorId | Should -BeExactly "ImageSyncFailed,$WaitId"
        (Get-GlobalImageSync -Id $run.Id).LastLines | Should -Be $run.LastLines
        Get-ChildItem "$env:GLOBALUPGRADE_STATE_HOME/runs" -Filter *.log | Should -BeNullOrEmpty

        $both = $null
        try { Invoke-GlobalImageSync @Node -PackagePath $package -RunRoot $RunRoot -NoLogCopy -LogPath (Join-Path $Work 'x.log') -Confirm:$false } catch { $both = $_ }
        $both.FullyQualifiedErrorId | Should -BeExactly "AmbiguousParameterSet,$InvokeId"
    }

    It 'survives a killed SSH session; Wait-GlobalImageSync re-attaches and follows to the end' {
        $package = New-Package 'killed' -DurationMs 3000 -Images 30
        # Kill the per-connection sshd processes (children of our sshd) once the sync is under way.
        $kill = [Diagnostics.ProcessStartInfo]::new('bash')
        $kill.ArgumentList.Add('-c')
        # ... i.e. once the local copy of the log has content (the follow is streaming), whatever the machine's load.
        $kill.ArgumentList.Add("for i in `$(seq 1 300); do [ -n ""`$(find '$env:GLOBALUPGRADE_STATE_HOME' -name '*.log' -size +0 2>/dev/null)"" ] && break; sleep 0.05; done; for p in `$(cat /proc/$($Sshd.Process.Id)/task/$($Sshd.Process.Id)/children); do kill -KILL `$p; done")
        $killer = [Diagnostics.Process]::Start($kill)
        $err = $null
        try { Invoke-GlobalImageSync @Node -PackagePath $package -Cluster standby -RunRoot $RunRoot -Confirm:$false } catch { $err = $_ }
        $killer.WaitForExit()
        $err.FullyQualifiedErrorId | Should -BeExactly "RemoteSessionLost,$InvokeId"
        $err.Exception.Message | Should -Match 'Wait-GlobalImageSync -Id'

        $running = Get-GlobalImageSync -State Running
        $running.Count | Should -Be 1
        $partial = (Get-Item $running.LogPath).Length
        $partial | Should -BeGreaterThan 0
        $done = $running | Wait-GlobalImageSync -TimeoutSec 60
        $done.State | Should -Be 'Succeeded'
        # Nothing lost, nothing read twice.
        (Get-Content $done.LogPath -Raw) | Should -BeExactly (Get-Content (Join-Path $done.RunFolder 'log') -Raw)
        (Get-Content $done.LogPath | Select-String '\[\d+/30\] pushing').Count | Should -Be 30
    }

    It 'refuses an unknown host key and shows its fingerprint' {
        $empty = Join-Path $Work 'known_hosts_empty'; Set-Content $empty ''
        $package = New-Package 'unknown-key'
        $err = $null
        try { Invoke-GlobalImageSync @Node -KnownHostsPath $empty -PackagePath $package -RunRoot $RunRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "HostKeyUnknown,$InvokeId"
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
        $err.Exception.Message | Should -BeLike "*$Fingerprint*"
        Test-Path $RunRoot | Should -BeFalse
    }

    It 'refuses a changed host key' {
        $package = New-Package 'changed-key'
        $err = $null
        try { Invoke-GlobalImageSync @Node -KnownHostsPath (Join-Path $SshDir 'known_hosts_changed') -PackagePath $package -RunRoot $RunRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "HostKeyChanged,$InvokeId"
        $err.Exception.Message | Should -BeLike "*$Fingerprint*"
    }

    It 'accepts a pinned fingerprint without known_hosts' {
        $package = New-Package 'pinned' -DurationMs 50 -Images 2
        $node = $Node.Clone(); $node.Remove('KnownHostsPath')
        $run = Invoke-GlobalImageSync @node -KnownHostsPath (Join-Path $Work 'none') -HostKeyFingerprint $Fingerprint -PackagePath $package -RunRoot $RunRoot -Confirm:$false
        $run.State | Should -Be 'Succeeded'
    }

    It 'reports a wrong password' {
        $package = New-Package 'wrong-password'
        $credential = [pscredential]::new([Environment]::UserName, (ConvertTo-SecureString 'certainly-wrong-9931' -AsPlainText -Force))
        $node = $Node.Clone(); $node.Remove('KeyFilePath'); $node.Remove('UserName')
        $err = $null
        try { Invoke-GlobalImageSync @node -SshCredential $credential -PackagePath $package -RunRoot $RunRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "SshAuthenticationFailed,$InvokeId"
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        "$err" | Should -Not -Match 'certainly-wrong-9931'
    }

    It 'reports a wrong key' {
        $package = New-Package 'wrong-key'
        $node = $Node.Clone(); $node.KeyFilePath = Join-Path $SshDir 'other_ed25519'
        $err = $null
        try { Invoke-GlobalImageSync @node -PackagePath $package -RunRoot $RunRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "SshAuthenticationFailed,$InvokeId"
    }

    It 'refuses a folder without upgrade.sh before starting anything' {
        $empty = Join-Path $Work 'no-script'; $null = New-Item -ItemType Directory -Force $empty
        $err = $null
        try { Invoke-GlobalImageSync -PackagePath $empty -RunRoot $RunRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "UpgradeScriptNotFound,$InvokeId"
        Test-Path $RunRoot | Should -BeFalse
        Get-GlobalImageSync | Should -BeNullOrEmpty
    }

    It '-SkipCheckArtifacts passes upgrade.sh --skip-check-artifacts to a 4.3 package, over SSH too' {
        $package = New-Package 'skip-check' -DurationMs 100 -Conf @{ GU_FAKE_ARGS_LOG = "$Work/skip-check-args.log" }
        $run = Invoke-GlobalImageSync @Node -PackagePath $package -SkipCheckArtifacts -RunRoot $RunRoot -Confirm:$false
        $run.State | Should -Be 'Succeeded'
        @(Get-Content "$Work/skip-check-args.log") | Should -Be @('--only-sync-image --skip-check-artifacts')
        Get-Content $run.LogPath -Raw | Should -Match 'skipping the artifact check'

        # Without the switch the flag is not passed.
        Invoke-GlobalImageSync -PackagePath $package -RunRoot $RunRoot -Confirm:$false | Out-Null
        (Get-Content "$Work/skip-check-args.log")[-1] | Should -BeExactly '--only-sync-image'
    }

    It 'spells the image-sync flag as the package''s docs do: <Flag> for <Version>, which the stand-in accepts alone' -ForEach @(
        @{ Version = 'v4.2.0'; Flag = '--only-sync-image=true' }
        @{ Version = 'v4.3.1'; Flag = '--only-sync-image' }
    ) {
        $package = New-Package "flag-$Version" -DurationMs 50 -Conf @{ GU_FAKE_ARGS_LOG = "$Work/flag-$Version.log" }
        Set-Content (Join-Path $package 'version') $Version
        $run = Invoke-GlobalImageSync @Node -PackagePath $package -RunRoot $RunRoot -Confirm:$false
        $run.State | Should -Be 'Succeeded' -Because 'the stand-in refuses the spelling of the other line'
        @(Get-Content "$Work/flag-$Version.log") | Should -Be @($Flag)
    }

    It '-SkipCheckArtifacts is refused for a package before 4.3, before anything starts' {
        $package = New-Package 'skip-check-42' -Conf @{ GU_FAKE_ARGS_LOG = "$Work/skip-check-42-args.log" }
        Set-Content (Join-Path $package 'version') 'v4.2.0'
        $err = $null
        try { Invoke-GlobalImageSync -PackagePath $package -SkipCheckArtifacts -RunRoot $RunRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "UpgradeScriptFlagUnsupported,$InvokeId"
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match 'v4\.2\.0'
        $err.Exception.Message | Should -Match 'skip-check-artifacts'
        Test-Path "$Work/skip-check-42-args.log" | Should -BeFalse -Because 'upgrade.sh never ran'
        Get-GlobalImageSync | Should -BeNullOrEmpty -Because 'nothing is recorded for a sync that was not started'
    }

    It 'surfaces the last log lines of a failed sync' {
        $package = New-Package 'failing' -DurationMs 200 -Images 25 -ExitCode 3
        $err = $null
        try { Invoke-GlobalImageSync @Node -PackagePath $package -RunRoot $RunRoot -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "ImageSyncFailed,$InvokeId"
        $err.Exception.Message | Should -Match 'exit code 3'
        $err.Exception.Message | Should -Match 'push failed: unexpected status 500'
        $err.Exception.Message | Should -Match '\[25/25\] pushing'
        $err.TargetObject.State | Should -Be 'Failed'
        (Get-GlobalImageSync -State Failed).LastLines.Count | Should -Be 20
    }

    It 'follows two targets piped in concurrently' {
        $targets = @(
            [pscustomobject]@{ Cluster = 'primary'; PackagePath = (New-Package 'pair-a' -DurationMs 1000 -Images 10) }
            [pscustomobject]@{ Cluster = 'standby'; PackagePath = (New-Package 'pair-b' -DurationMs 1000 -Images 10); ComputerName = '127.0.0.1' }
        )
        $node = $Node.Clone(); $node.Remove('ComputerName')
        $runs = $targets | Invoke-GlobalImageSync @node -RunRoot $RunRoot -Confirm:$false
        $runs.Count | Should -Be 2
        # Both were running at the same time: each started before the other finished.
        $runs[0].StartedAt | Should -BeLessThan $runs[1].FinishedAt
        $runs[1].StartedAt | Should -BeLessThan $runs[0].FinishedAt
        $runs.State | Should -Be @('Succeeded', 'Succeeded')
        ($runs | Sort-Object Cluster).Transport | Should -Be @('Local', 'Ssh')
    }

    It 'detaches and is picked up again by Wait-GlobalImageSync from the pipeline' {
        $package = New-Package 'detached' -DurationMs 500
        $run = Invoke-GlobalImageSync -PackagePath $package -RunRoot $RunRoot -Detach -Confirm:$false
        $run.State | Should -Be 'Running'
        $done = $run | Wait-GlobalImageSync
        $done.State | Should -Be 'Succeeded'
        (Get-GlobalImageSync -Id $run.Id).State | Should -Be 'Succeeded'
    }

    It 'starts nothing under -WhatIf' {
        $package = New-Package 'whatif'
        Invoke-GlobalImageSync -PackagePath $package -RunRoot $RunRoot -WhatIf | Should -BeNullOrEmpty
        Test-Path $RunRoot | Should -BeFalse
    }

    It 'reports an unknown run id' {
        $err = $null
        try { Wait-GlobalImageSync -Id 'no-such-run' -ErrorAction Stop } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "ImageSyncNotFound,$WaitId"
    }

    It 'masks the registry password the same when -Detach is followed by Wait-GlobalImageSync' {
        $password = 'Detached-Canary-91b2'
        $package = New-Package 'echoing'
        # A careless vendor script that prints its arguments; Wait-GlobalImageSync is never given the password.
        Set-Content (Join-Path $package 'upgrade.sh') 'echo "args: $*"; echo "[1/1] pushed"'
        $registry = [pscredential]::new('pusher', (ConvertTo-SecureString $password -AsPlainText -Force))
        $run = Invoke-GlobalImageSync @Node -PackagePath $package -Registry 'registry.example:5000' -RegistryCredential $registry -RunRoot $RunRoot -Detach -Confirm:$false
        $done = $run | Wait-GlobalImageSync @Node
        $done.State | Should -Be 'Succeeded'
        $done.LastLines | Should -Contain 'args: --only-sync-image --registry registry.example:5000 --username pusher --password ********'
        foreach ($file in Get-ChildItem $env:GLOBALUPGRADE_STATE_HOME, $RunRoot -Recurse -File) {
            (Get-Content $file.FullName -Raw) | Should -Not -Match ([regex]::Escape($password)) -Because $file.FullName
        }
    }

    It 'refuses a -ProgressPattern without the two count groups' -TestCases @(
        @{ Pattern = '\d+/\d+' }
        @{ Pattern = '([0-9]' }
    ) {
        $package = New-Package 'pattern'
        $err = $null
        try { Invoke-GlobalImageSync -PackagePath $package -RunRoot $RunRoot -ProgressPattern $Pattern -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "ProgressPatternInvalid,$InvokeId"
        $err.Exception.Message | Should -Match ([regex]::Escape($Pattern))
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        Test-Path $RunRoot | Should -BeFalse
        $err = $null
        try { Wait-GlobalImageSync -Id 'any-run' -ProgressPattern $Pattern } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeExactly "ProgressPatternInvalid,$WaitId"
    }

    It 'never shows the registry password: transcript, streams, records, logs, run folder' {
        $password = 'Leak-Canary-7f3a9c!'
        $sha = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($password))).ToLowerInvariant()
        $package = New-Package 'secret' -DurationMs 100 -Images 3 -Conf @{ GU_FAKE_PASSWORD_SHA256 = "$sha" }
        $registry = [pscredential]::new('pusher', (ConvertTo-SecureString $password -AsPlainText -Force))
        $transcript = Join-Path $Work 'transcript.txt'
        $oldDebug = $DebugPreference; $oldProgress = $ProgressPreference
        Start-Transcript -Path $transcript -Force | Out-Null
        try {
            $DebugPreference = 'Continue'
            $streams = Invoke-GlobalImageSync @Node -PackagePath $package -Cluster primary -Registry 'registry.example:5000' -RegistryCredential $registry `
                -RunRoot $RunRoot -Verbose -Debug -Confirm:$false *>&1
            $failed = $null
            try { Invoke-GlobalImageSync @Node -PackagePath (New-Package 'secret-fail' -ExitCode 4 -Images 3) -Registry 'registry.example:5000' -RegistryCredential $registry -RunRoot $RunRoot -Verbose -Debug -Confirm:$false *>&1 | Out-Null }
            catch { $failed = $_ }
        }
        finally {
            Stop-Transcript | Out-Null
            $DebugPreference = $oldDebug; $ProgressPreference = $oldProgress
        }
        $run = $streams | Where-Object { $_ -is [GlobalUpgrade.ImageSyncRun] }
        $run.State | Should -Be 'Succeeded'   # the password arrived: the stand-in checks its SHA-256
        $failed.FullyQualifiedErrorId | Should -BeExactly "ImageSyncFailed,$InvokeId"
        ($streams | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Count | Should -BeGreaterThan 0
        ($streams | Out-String -Width 500) | Should -Not -Match ([regex]::Escape($password))
        ($failed | Out-String -Width 500) + $failed.Exception.Message | Should -Not -Match ([regex]::Escape($password))
        $files = @($transcript) + @(Get-ChildItem $env:GLOBALUPGRADE_STATE_HOME, $RunRoot -Recurse -File | ForEach-Object FullName)
        $files.Count | Should -BeGreaterThan 6
        foreach ($file in $files) {
            (Get-Content $file -Raw) | Should -Not -Match ([regex]::Escape($password)) -Because $file
        }
        Get-ChildItem $RunRoot -Recurse -Filter secrets | Should -BeNullOrEmpty
    }
}
