"""Crawling on several machines: workers that share a Redis (the work queue, leases) and a
PostgreSQL store (everything the crawl collects).

The distribution is RQ's (python-rq): a night's sites are RQ jobs, one per site, in one queue;
`minhbach worker` is an RQ worker pool that runs each job in a forked process of its own; RQ
keeps each running job's heartbeat and, when a worker dies, finds the job abandoned and retries
it elsewhere. What is ours is what RQ cannot know:
- leases.py: a site's hosts are leased in Redis for as long as one worker crawls them, so no
  host ever gets more than the crawler's per-host limit from the whole cluster;
- jobs.py: the job itself, one site of a crawl run as one *attempt*, fenced in the store so a
  lost worker's late writes are refused;
- coordinator.py: `crawl --distributed` and `nightly --distributed`: enqueue, wait, audit each
  site as its crawl ends, recover jobs Redis lost, close the run;
- workers.py: the worker class (heartbeats as long as a lease), the pool, and who is alive.
"""
