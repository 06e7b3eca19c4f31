BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifestPath = $env:GLOBALUPGRADE_MODULE
    $script:moduleBase = Split-Path $manifestPath
    $script:manifest = Import-PowerShellDataFile $manifestPath
    # One source file per type (module/Formats); the build ships their views as one file (one load at import).
    $script:sourceFolder = Join-Path $env:GLOBALUPGRADE_ROOT 'module/Formats'
    $script:formatFiles = @(Get-ChildItem $sourceFolder -Filter *.Format.ps1xml | Sort-Object Name)
    $script:shipped = Join-Path $moduleBase 'GlobalUpgrade.Format.ps1xml'
    function script:Get-ViewName([string] $Path) { @(([xml](Get-Content -LiteralPath $Path -Raw)).Configuration.ViewDefinitions.View.Name) }
    Import-Module $manifestPath -Force

    # Runs a script in a new runspace, so format data loaded there cannot collide with the module's own in this one.
    function Invoke-InNewRunspace([string] $Script, [object[]] $ArgumentList = @()) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript($Script)
            foreach ($argument in $ArgumentList) { $null = $ps.AddArgument($argument) }
            $output = try { $ps.Invoke() } catch { $failure = $_ }
            [pscustomobject]@{ Output = $output; Errors = @($ps.Streams.Error) + @($failure | Where-Object { $_ }) }
        }
        finally { $ps.Dispose() }
    }

    # The step names a runbook can stream: the -PauseBefore values of both runbook cmdlets.
    function Get-StepName {
        # -PauseBefore completes with the runbooks' step names, the list the runner runs.
        foreach ($command in 'Invoke-GlobalDrUpgrade', 'Invoke-GlobalUpgrade') {
            $line = "$command -PauseBefore "
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        }
    }

    # The default table view as a 120-column terminal shows it, without colour codes.
    function Format-At120([object[]] $InputObject) {
        $rendering = $PSStyle.OutputRendering
        $PSStyle.OutputRendering = 'PlainText'
        try { $InputObject | Format-Table | Out-String -Width 120 }
        finally { $PSStyle.OutputRendering = $rendering }
    }
}

Describe 'Format files' -Tag CI {
    It 'keeps one source file per type and ships their views, every one and in order, as the one file the manifest loads' {
        $formatFiles.Count | Should -BeGreaterThan 1
        $manifest.FormatsToProcess | Should -Be @('GlobalUpgrade.Format.ps1xml')
        Test-Path (Join-Path $moduleBase 'Formats') | Should -BeFalse -Because 'the per-type files are the source, not what ships'
        Get-ViewName $shipped | Should -Be @($formatFiles | ForEach-Object { Get-ViewName $_.FullName })
        $run = Invoke-InNewRunspace 'param($Path) Update-FormatData -AppendPath $Path -ErrorAction Stop' @($shipped)
        $run.Errors | Should -BeNullOrEmpty
    }

    It '<_.Name> loads with Update-FormatData and holds the views of its own type only' -ForEach @(Get-ChildItem (Join-Path $env:GLOBALUPGRADE_ROOT 'module/Formats') -Filter *.Format.ps1xml) {
        $run = Invoke-InNewRunspace 'param($Path) Update-FormatData -AppendPath $Path -ErrorAction Stop' @($_.FullName)
        $run.Errors | Should -BeNullOrEmpty
        $type = 'GlobalUpgrade.' + ($_.Name -replace '\.Format\.ps1xml$')
        $selected = ([xml](Get-Content $_.FullName -Raw)).Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName
        $selected | Should -Be $type
    }

    It 'rejects a file that lost a closing View tag (what a bad merge once did)' {
        $broken = Join-Path $TestDrive 'Broken.Format.ps1xml'
        (Get-Content (Join-Path $sourceFolder 'GlobalMachine.Format.ps1xml') -Raw) -replace '</View>', '' | Set-Content $broken
        $run = Invoke-InNewRunspace 'param($Path) Update-FormatData -AppendPath $Path -ErrorAction Stop' @($broken)
        $run.Errors | Should -Not -BeNullOrEmpty
    }

    It 'has a view for every [OutputType] of every exported cmdlet' {
        $types = @((Get-Command -Module GlobalUpgrade).OutputType | Where-Object { $_.Type -and $_.Type.Namespace -eq 'GlobalUpgrade' } |
            ForEach-Object { $_.Type.FullName } | Sort-Object -Unique)
        $types | Should -Contain 'GlobalUpgrade.RunbookStep'
        # A new runspace that imports the module: the views come from the manifest, not from this session.
        $run = Invoke-InNewRunspace 'param($Manifest, $Types) Import-Module $Manifest; foreach ($t in $Types) { if (-not (Get-FormatData -TypeName $t)) { $t } }' @($manifestPath, $types)
        $run.Errors | Should -BeNullOrEmpty
        $run.Output | Should -BeNullOrEmpty -Because 'each of these output types needs a view in module/Formats/<Type>.Format.ps1xml'
    }
}

Describe 'Default views at 120 columns' -Tag CI {
    It 'shows RunbookStep with whole step names and the message wrapped, not cut' {
        $names = @(Get-StepName | Sort-Object -Unique)
        $names | Should -Contain 'UninstallEtcdSync'
        $message = 'The standby global cluster is at v4.2.0; its etcd synchronizer was reinstalled and reports no missed or surplus keys.'
        $steps = foreach ($name in $names) {
            [GlobalUpgrade.RunbookStep]@{
                Name = $name; Cluster = 'primary,standby'; State = 'Succeeded'; Message = $message
                StartedAt = [DateTimeOffset]'2026-01-01T10:00:00Z'; FinishedAt = [DateTimeOffset]'2026-01-01T11:02:03.6Z'
            }
        }
        $text = Format-At120 $steps
        $lines = $text -split '\r?\n'
        $lines[1] | Should -Match '^Name\s+Cluster\s+State\s+Duration\s+Message\s*$'
        foreach ($name in $names) {
            @($lines -match "^$name\s+primary,standby\s+Succeeded\s+01:02:04\s").Count | Should -Be 1 -Because "the step $name is one whole word on its row"
        }
        $text | Should -Not -Match '…' -Because 'nothing is cut'
        (($lines | ForEach-Object { $_.Length }) | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual 120
        # The message wraps between words inside its column: all of it is there, no word cut in two.
        ($text -replace '\s+', ' ') | Should -Match ([regex]::Escape($message))
    }

    It 'shows CheckResult with its identity columns first and whole check names' {
        $checks = @(
            [GlobalUpgrade.CheckResult]@{ Check = 'StandbyKeyspaceMatches'; Target = 'primary,standby'; State = 'Failed'; Expected = '0 missed, 0 surplus'; Actual = '3 missed, 1 surplus'; Message = 'The standby lacks 3 keys of the primary; restart the etcd synchronizer leader pod (Restart-EtcdSync) and check again.' }
            [GlobalUpgrade.CheckResult]@{ Check = 'MachinesRunning'; Target = 'standby'; State = 'Passed'; Expected = 'Running'; Actual = 'Running'; Message = 'All machines run.' }
            [GlobalUpgrade.CheckResult]@{ Check = 'MinioFreeSpace'; Target = 'global'; State = 'NotChecked'; Expected = '120 GB'; Actual = 'not measured'; Message = 'No node access.' }
        )
        $text = Format-At120 $checks
        $lines = $text -split '\r?\n'
        $lines[1] | Should -Match '^Check\s+Target\s+Passed\s+State\s+Expected\s+Actual\s+Message\s*$'
        @($lines -match '^StandbyKeyspaceMatches\s+primary,standby\s+False\s+Failed\s').Count | Should -Be 1
        @($lines -match '^MachinesRunning\s+standby\s+True\s+Passed\s').Count | Should -Be 1
        @($lines -match '^MinioFreeSpace\s+global\s+False\s+NotChecked\s').Count | Should -Be 1
        $text | Should -Not -Match '…'
        # Expected, Actual and Message wrap between words: every word of them is whole in the output.
        $words = -split $text
        foreach ($word in -split "$($checks[0].Expected) $($checks[0].Actual) $($checks[0].Message)") { $words | Should -Contain $word }
        (($lines | ForEach-Object { $_.Length }) | Measure-Object -Maximum).Maximum | Should -BeLessOrEqual 120
    }

    It 'shows EtcdSyncStatus as counts, the key lists left to Format-List' {
        $status = [GlobalUpgrade.EtcdSyncStatus]@{
            Cluster = 'standby'; IsInSync = $false; MissedKeys = [string[]]@('/registry/a', '/registry/b'); SurplusKeys = [string[]]@()
            CheckedAt = [DateTimeOffset]::Now; Source = '/api/v1/namespaces/cpaas-system/services/etcd-sync-monitor:http/proxy/check'
        }
        $lines = (Format-At120 $status) -split '\r?\n'
        $lines[1] | Should -Match '^Cluster\s+IsInSync\s+Missed\s+Surplus\s+CheckedAt\s*$'
        @($lines -match '^standby\s+False\s+2\s+0\s').Count | Should -Be 1
    }
}
