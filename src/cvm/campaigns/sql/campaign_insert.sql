-- One campaign design; what has no column of its own is in $definition (JSON).
INSERT INTO campaigns (campaign_id, name, offer_id, channel, audience, starts, ends,
                       response_days, control_fraction, status, definition)
VALUES ($campaign_id, $name, $offer_id, $channel, $audience, $starts, $ends,
        $response_days, $control_fraction, $status, $definition)
