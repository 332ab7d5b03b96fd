-- PATCH usage.copy_scan, alternating false and true. Each wrk thread (one
-- connection each) patches its own track offer, so no two requests wait on
-- the same row lock. Arguments: the track offer ids, comma-separated.
local threads = 0

function setup(thread)
   thread:set("index", threads)
   threads = threads + 1
end

function init(args)
   local ids = {}
   for id in string.gmatch(args[1], "%d+") do
      table.insert(ids, id)
   end
   track_offer = ids[index + 1]
   value = true
end

function request()
   value = not value
   local body = string.format(
      '{"data":{"type":"track-offers","id":"%s",'
      .. '"attributes":{"usage":{"copy_scan":%s}}}}',
      track_offer, tostring(value))
   return wrk.format("PATCH", "/api/v1/track-offers/" .. track_offer, nil, body)
end
