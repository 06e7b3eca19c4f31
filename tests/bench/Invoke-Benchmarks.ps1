<#
.SYNOPSIS
    Runs every tests/bench/*.Bench.ps1 and collects their results (called by ./build.ps1 -Task Bench).
.DESCRIPTION
    Each bench script takes -ModulePath, -Pwsh, -Keys, -Runs, -OutputPath and writes its own Markdown section to
    <OutputPath>/<name>.md; the sections are printed at the end so they can be copied into docs/performance.md.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string[]] $Pwsh,
    # Keys per etcd server; several sizes (200000, 1000000) measure the keyspace rows of each in the same run.
    [int[]] $Keys = 200000,
    [int] $Runs = 5,
    [Parameter(Mandatory)] [string] $OutputPath,
    [string[]] $Name,
    # Passed to the benchmarks that take it (EtcdCompare).
    [string] $KeyShape = 'ConfigMaps',
    # Passed to the benchmarks that take it (EtcdCompare): another build of the module, run cold in the same rounds.
    [string] $OtherModulePath,
    # Passed to the benchmarks that take it (EtcdCompare): NAME=value pairs for that other cold row only.
    [string[]] $OtherEnvironment
)
$ErrorActionPreference = 'Stop'
# Only this run's sections are printed: an earlier run's would read as if measured now.
Remove-Item $OutputPath -Recurse -Force -ErrorAction Ignore
$null = New-Item -ItemType Directory -Force $OutputPath
# Every figure printed comes with the run it belongs to: the date, the commit, the machine and its load.
$commit = (& git -C $PSScriptRoot rev-parse --short HEAD 2>$null) + $(if (& git -C $PSScriptRoot status --porcelain --untracked-files=no 2>$null) { ' (with uncommitted changes)' } else { '' })
$cpu = (Get-Content /proc/cpuinfo | Where-Object { $_ -match '^model name' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$started = Get-Date -AsUTC
$loadBefore = (Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' '
$scripts = Get-ChildItem $PSScriptRoot -Filter *.Bench.ps1 | Where-Object { -not $Name -or $_.BaseName -replace '\.Bench$' -in $Name }
foreach ($script in $scripts) {
    # The keyspace benchmarks (those with -KeyShape) run once per size in -Keys; the others once.
    $isKeyspace = (Get-Command $script.FullName).Parameters.ContainsKey('KeyShape')
    $shape = if ($isKeyspace) { @{ KeyShape = $KeyShape } } else { @{} }
    if ($OtherEnvironment -and (Get-Command $script.FullName).Parameters.ContainsKey('OtherEnvironment')) { $shape.OtherEnvironment = $OtherEnvironment }
    if ($OtherModulePath -and (Get-Command $script.FullName).Parameters.ContainsKey('OtherModulePath')) { $shape.OtherModulePath = $OtherModulePath }
    $sizes = @(if ($isKeyspace) { $Keys } else { $Keys[0] })
    foreach ($size in $sizes) {
        Write-Host "== $($script.BaseName) $(if ($sizes.Count -gt 1) { "($size keys)" })" -ForegroundColor Cyan
        & $script.FullName -ModulePath $ModulePath -Pwsh $Pwsh -Keys $size -Runs $Runs -OutputPath $OutputPath @shape
    }
}
$loadAfter = (Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' '
Set-Content (Join-Path $OutputPath 'Run.md') @"
### The run (commit $commit)
$($started.ToString('yyyy-MM-dd HH:mm')) to $((Get-Date -AsUTC).ToString('HH:mm')) UTC, commit $commit; $([Environment]::ProcessorCount) cores, $cpu; load average (1, 5, 15 min)
before: $loadBefore, after: $loadAfter. Benchmarks: $(($scripts | ForEach-Object { $_.BaseName -replace '\.Bench$' }) -join ', '); keys per side: $($Keys -join ', '); runs: $Runs.

"@
foreach ($section in Get-ChildItem $OutputPath -Filter *.md | Sort-Object LastWriteTime) {
    Get-Content -LiteralPath $section.FullName -Raw | Write-Host
}
