-- One row: whether the external sales feed has delivered anything. Absent (no
-- sales_ext.sales) and empty are the same to the marts: revenue figures are null, not 0
-- (contract §4, §5), and the sales-based rates are null too.
with

sales as (

    select * from {{ ref('stg_sales_ext__sales') }}

),

final as (

    select exists(select 1 from sales) as is_loaded

)

select * from final
