<#
.SYNOPSIS
    What a watch-driven wait costs: Restart-EtcdSync against the simulator with the new leader pod taking 10 s, 30 s
    and 60 s to become Ready, counting the API requests the wait made (simulator request log) and how long after the
    simulator wrote the event (lease acquireTime, log line) the cmdlet returned.
.DESCRIPTION
    Takes the parameters of every bench script (-ModulePath, -Pwsh, -Keys, -Runs, -OutputPath); -Keys is unused,
    -Runs caps the repetitions of the 30 s case (at most 3, each costs 30 s). Writes <OutputPath>/WaitRequests.md.
#>
param([string] $ModulePath, [string[]] $Pwsh, [int] $Keys, [int] $Runs, [string] $OutputPath)
$ErrorActionPreference = 'Stop'
if (-not $env:GLOBALUPGRADE_SIMULATOR) {
    $env:GLOBALUPGRADE_SIMULATOR = Join-Path (Split-Path (Split-Path (Split-Path $ModulePath))) 'simulator/GlobalUpgrade.Simulator.dll'
}
Import-Module (Join-Path $PSScriptRoot '../pester/TestHelpers.psm1') -Force
Import-Module $ModulePath -Force

# The 4.3.0 line (the healthy pair's pods, which start in 2 s, with the plugin that takes lease etcd-sync-mirror:
# before 4.3 the docs name no lease and the leader is the first pod by name, so there is no event time to measure
# from). The time scale stretches the pod start to the one we want.
$scenario = 'v4.3.0'
$podStartSeconds = 2
$cases = @(10, 30) + @(30) * ([Math]::Min([Math]::Max($Runs, 1), 3) - 1) + @(60)
$rows = foreach ($seconds in $cases) {
    $sim = Start-TestSimulator -Scenario $scenario -Dr -TimeScale ($seconds / $podStartSeconds)
    try {
        Get-GlobalCluster | Disconnect-GlobalCluster
        Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context primary -Role Primary | Out-Null
        Connect-GlobalCluster -Kubeconfig $sim.Kubeconfig -Context standby -Role Standby | Out-Null
        Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/requests' -Method DELETE | Out-Null
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $result = Restart-EtcdSync -PassThru -TimeoutSec ($seconds * 4)
        $returned = [DateTimeOffset]::UtcNow
        $elapsed = $watch.Elapsed
        # The simulator logs a streamed request when the client has closed it; .NET drains a disposed response for up
        # to 2 s (SocketsHttpHandler.ResponseDrainTimeout) before it closes the connection: wait until none is open.
        $drained = [datetime]::UtcNow.AddSeconds(30)
        while (@(Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/requests/in-flight' | ForEach-Object { $_ }).Count -gt 0) {
            if ([datetime]::UtcNow -gt $drained) { throw 'The wait''s requests were still open 30 s after Restart-EtcdSync returned.' }
            Start-Sleep -Milliseconds 50
        }
        $requests = @(Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/_sim/requests' | ForEach-Object { $_ })
        $lease = Invoke-SimAdmin -Simulator $sim -Cluster standby -Path '/apis/coordination.k8s.io/v1/namespaces/cpaas-system/leases/etcd-sync-mirror'
        $acquired = [DateTimeOffset]$lease.spec.acquireTime  # ConvertFrom-Json made it a DateTime; keep its fraction
        $kinds = $requests | Group-Object {
            if ($_.path -match '/log\?') { 'log' }
            elseif ($_.path -match 'watch=true') { 'watch' }
            elseif ($_.method -eq 'DELETE') { 'delete' }
            elseif ($_.path -match '\?') { 'list' }
            else { 'get' }
        } -AsHashTable
        # When the wait saw the event: the first request it made after the simulator wrote the new lease.
        $next = $requests | Where-Object { [DateTimeOffset]$_.start -gt $acquired } | Sort-Object { [DateTimeOffset]$_.start } | Select-Object -First 1
        [pscustomobject]@{
            PodStart  = $seconds
            Elapsed   = $elapsed.TotalSeconds
            Total     = $requests.Count
            Watch     = @($kinds['watch']).Where({ $_ }).Count
            List      = @($kinds['list']).Where({ $_ }).Count
            Get       = @($kinds['get']).Where({ $_ }).Count
            Log       = @($kinds['log']).Where({ $_ }).Count
            Delete    = @($kinds['delete']).Where({ $_ }).Count
            SeenMs    = if ($next) { ([DateTimeOffset]$next.start - $acquired).TotalMilliseconds } else { [double]::NaN }
            LatencyMs = ($returned - $acquired).TotalMilliseconds
            Leader    = $result.LeaderPod
        }
    }
    finally {
        Get-GlobalCluster | Disconnect-GlobalCluster
        Stop-TestSimulator $sim
    }
}

$rows | Format-Table | Out-String | Write-Host
$table = ($rows | ForEach-Object {
        "| $($_.PodStart) s | $([Math]::Round($_.Elapsed, 1)) s | $($_.Total) | $($_.Watch) | $($_.List) | $($_.Get) | $($_.Log) | $($_.Delete) | $([Math]::Round($_.SeenMs)) ms | $([Math]::Round($_.LatencyMs)) ms |"
    }) -join "`n"
$section = @"
### Restart-EtcdSync waiting for a new leader pod ($(Get-Date -Format 'yyyy-MM-dd'), simulator, DR pair on $scenario)
| pod start | wait | requests | watch | list | get | log | delete | event → next request | event → cmdlet returned |
|---|---|---|---|---|---|---|---|---|---|
$table

"@
Set-Content (Join-Path $OutputPath 'WaitRequests.md') $section
