-- wrk script: a paced probe rather than a second load. Each connection waits 40 ms before each
-- request, so four connections ask for a page about 100 times a second and measure its latency
-- while another load runs, without taking half the CPU from it as a flat-out wrk would.
function delay()
  return 40
end
