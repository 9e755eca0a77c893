-- The cost of one contact with offer $offer_id.
SELECT cost FROM offers WHERE offer_id = $offer_id
