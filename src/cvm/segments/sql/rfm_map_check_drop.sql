DROP TABLE rfm_map_check
